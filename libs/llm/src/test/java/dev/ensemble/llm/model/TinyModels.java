package dev.ensemble.llm.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** One tiny model shared by the tests of this package (trained once per JVM, a few seconds). */
public final class TinyModels {

    public static final String TEXT = """
            The cat sat on the mat. The dog sat on the log. The cat saw the dog and the dog saw the cat.
            A fox ran by the mat and the log; the cat and the dog ran after the fox.
            """.repeat(12);

    private static TrainedModel trained;
    private static Path dir;

    private TinyModels() {
    }

    public static synchronized TrainedModel trained() {
        if (trained == null) {
            TrainingOptions options = TrainingOptions.defaults().withSize(48, 1).withSteps(60).withBatch(16, 32)
                    .withLearningRate(0.01f).withSeed(7);
            trained = new LanguageModelTrainer(options).train(TEXT, null, null);
        }
        return trained;
    }

    /** The tiny model saved to a directory and loaded back. */
    public static synchronized Path savedDir() throws Exception {
        if (dir == null) {
            dir = Files.createTempDirectory("tiny-llm");
            trained().model().save(dir);
        }
        return dir;
    }
}
