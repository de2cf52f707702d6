package dev.ensemble.llm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelTrainerTest {

    @Test
    void lossGoesDownAndProgressIsReported() {
        TrainingResult r = TinyModels.trained().result();
        assertEquals(60, r.steps());
        assertFalse(r.cancelled());
        double uniform = Math.log(r.vocabularySize());
        assertTrue(Math.abs(r.initialLoss() - uniform) < 0.5, "untrained loss near ln(V): " + r);
        assertTrue(r.finalLoss() < r.initialLoss() * 0.75, "loss went down: " + r);
        assertTrue(r.validationLoss() < r.initialLoss(), "validation loss went down: " + r);
        assertTrue(r.parameters() > 0 && r.tokensPerSecond() > 0);
    }

    @Test
    void savedAndLoadedModelGivesTheSameLogits() throws Exception {
        LanguageModel original = TinyModels.trained().model();
        try (LanguageModel loaded = LanguageModel.load(TinyModels.savedDir())) {
            assertEquals(original.spec(), loaded.spec());
            assertEquals(original.vocabulary(), loaded.vocabulary());
            float[][] a = original.logits("The cat sat");
            float[][] b = loaded.logits("The cat sat");
            assertEquals(11, a.length);
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(a[i], b[i], 1e-5f);
            }
        }
    }

    @Test
    void reportsStepsEpochsAndCheckpointsAndStopsWhenCancelled(@TempDir Path tmp) {
        List<TrainingProgress> steps = new ArrayList<>();
        List<TrainingProgress> epochs = new ArrayList<>();
        List<Path> checkpoints = new ArrayList<>();
        AtomicBoolean cancel = new AtomicBoolean();
        TrainingListener listener = new TrainingListener() {
            @Override public void onStep(TrainingProgress p) {
                steps.add(p);
                if (p.step() >= 6) {
                    cancel.set(true);
                }
            }
            @Override public void onEpoch(TrainingProgress p) {
                epochs.add(p);
            }
            @Override public void onCheckpoint(TrainingProgress p, Path dir) {
                checkpoints.add(dir);
            }
        };
        TrainingOptions options = TrainingOptions.defaults().withSize(16, 1).withSteps(1000).withBatch(8, 64)
                .withCheckpoints(4, tmp.resolve("ckpt"));
        try (TrainedModel t = new LanguageModelTrainer(options, 2).train(TinyModels.TEXT, listener, cancel::get)) {
            assertTrue(t.result().cancelled());
            assertEquals(6, t.result().steps(), "checked before every batch");
            assertEquals(List.of(2, 4, 6), steps.stream().map(TrainingProgress::step).toList());
            assertEquals(1000, steps.get(0).totalSteps());
            assertFalse(epochs.isEmpty(), "6 x 512 characters is more than one pass over the text");
            assertEquals(1, checkpoints.size());
            assertTrue(LanguageModel.exists(tmp.resolve("ckpt")));
        }
    }

    @Test
    void sameSeedGivesTheSameModel() {
        TrainingOptions options = TrainingOptions.defaults().withSize(16, 1).withSteps(5).withBatch(4, 16).withSeed(3);
        try (TrainedModel a = new LanguageModelTrainer(options).train(TinyModels.TEXT, null, null);
             TrainedModel b = new LanguageModelTrainer(options).train(TinyModels.TEXT, null, null)) {
            assertEquals(a.result().finalLoss(), b.result().finalLoss(), 1e-6);
            assertArrayEquals(a.model().logits("cat")[2], b.model().logits("cat")[2], 1e-6f);
        }
    }

    @Test
    void rejectsTooShortTextAndMissingDirectories(@TempDir Path tmp) throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> new LanguageModelTrainer(TrainingOptions.defaults()).train("too short", null, null));
        assertFalse(LanguageModel.exists(tmp));
        Files.writeString(tmp.resolve("spec.json"), "{}");
        assertThrows(java.io.IOException.class, () -> LanguageModel.load(tmp));
    }
}
