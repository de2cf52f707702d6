package dev.ensemble.llm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledModelTest {

    @Test
    void theCorpusIsBundledAndSizeable() {
        String corpus = BundledModel.corpus();
        assertTrue(corpus.length() > 50_000 && corpus.length() < 150_000, "corpus size " + corpus.length());
        assertTrue(corpus.contains("Slow but steady wins the race."));
        assertTrue(corpus.contains("Shall I compare thee to a summer's day?"));
        assertTrue(corpus.contains("User: Hello!\nAssistant:"));
        assertTrue(Vocabulary.fromText(corpus).size() < 100, "a small character vocabulary");
        assertNotNull(BundledModel.class.getResource("/dev/ensemble/llm/corpus/NOTICE.md"));
    }

    @Test
    void trainsOnceIntoTheDirectoryThenOnlyLoads(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("models").resolve(BundledModel.MODEL_ID);
        // the real recipe, shortened to a few steps so the test stays quick
        TrainingOptions quick = BundledModel.defaultOptions().withSize(32, 1).withSteps(8).withBatch(8, 32);
        TrainingResult first = BundledModel.ensureTrained(dir, quick, null);
        assertNotNull(first);
        assertEquals(8, first.steps());
        assertTrue(LanguageModel.exists(dir));
        Map<String, Object> metrics = BundledModel.metrics(dir);
        assertEquals(BundledModel.MODEL_ID, metrics.get("model_id"));
        assertEquals(8, metrics.get("steps"));
        assertEquals(64, ((String) metrics.get("corpus_sha256")).length());
        assertNull(BundledModel.ensureTrained(dir, quick, null), "already there: not trained again");
        try (Stream files = new Stream(tmp.resolve("models"))) {
            assertEquals(List.of(BundledModel.MODEL_ID), files.names(), "no temporary directory left behind");
        }
        try (LanguageModel model = BundledModel.ensure(dir, quick, null)) {
            GenerationResult r = model.generator().complete("User: Hello!\nAssistant: ", GenerationParams.defaults().withMaxTokens(20).withSeed(1L));
            assertEquals(20, r.usage().completionTokens());
            assertFalse(r.text().isEmpty());
        }
    }

    /** The visible (non-dot) entries of a directory. */
    private record Stream(Path dir) implements AutoCloseable {
        List<String> names() throws java.io.IOException {
            try (java.util.stream.Stream<Path> s = Files.list(dir)) {
                return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
            }
        }

        @Override
        public void close() {
        }
    }
}
