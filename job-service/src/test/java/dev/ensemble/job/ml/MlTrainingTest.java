package dev.ensemble.job.ml;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The trainers and predictors on small data, without the service around them. */
class MlTrainingTest {

    @TempDir
    Path dir;

    static class Ctx implements RunContext {
        final Map<String, Object> params;
        final Path checkpoints;
        final List<String> logs = new ArrayList<>();
        final List<Integer> epochs = new ArrayList<>();
        volatile boolean stop;

        Ctx(Map<String, Object> params, Path checkpoints) {
            this.params = params;
            this.checkpoints = checkpoints;
        }

        public Map<String, Object> parameters() {
            return params;
        }

        public void checkStopped() {
            if (stop) {
                throw new JobStoppedException("stopped");
            }
        }

        public void progress(int completed, int total, Map<String, Object> metrics) {
            epochs.add(completed);
        }

        public void log(String level, String message) {
            logs.add(level + " " + message);
        }

        public Path checkpointDir() {
            return checkpoints;
        }
    }

    @Test
    void trainsMlpExportsOnnxAndPredicts() throws Exception {
        Path csv = dir.resolve("tabular.csv");
        Files.writeString(csv, TestData.blobsCsv(240, 1));
        Ctx ctx = new Ctx(Map.of("epochs", 3, "batch_size", 16, "learning_rate", 0.01), dir.resolve("ck"));
        TrainingOutput out = NeuralJobs.tabular("m1", "mlp", csv, dir.resolve("m1"), ctx);
        assertEquals(List.of(1, 2, 3), ctx.epochs);
        assertTrue(((Number) out.metrics().get("accuracy")).doubleValue() > 0.8, out.metrics().toString());
        assertTrue(Files.size(dir.resolve("m1/model.onnx")) > 100);
        assertTrue(Files.exists(dir.resolve("m1/model-0000.params")));
        assertTrue(Files.exists(dir.resolve("ck/checkpoint.params")));
        Map<String, Object> pred = Predictions.run(out.spec(), dir.resolve("m1"), "0,0,0,0\n6,-4,0,2", p -> p.equals("x") ? null : dir,
                new Ctx(Map.of(), dir));
        assertEquals(2, pred.get("count"), pred.toString());
        // resumes from the checkpoint: a second run with the same checkpoints starts after epoch 3
        Ctx again = new Ctx(Map.of("epochs", 4, "batch_size", 16), dir.resolve("ck"));
        TrainingOutput resumed = NeuralJobs.tabular("m1", "mlp", csv, dir.resolve("m1b"), again);
        assertEquals(3, resumed.metrics().get("resumed_from_epoch"));
        assertEquals(List.of(4), again.epochs);
    }

    @Test
    void predictsWithAnMlpSavedInTheLayoutBeforeTheSharedLibrary() throws Exception {
        Path modelDir = dir.resolve("legacy");
        Files.createDirectories(modelDir);
        float[][] rows = {{0, 0, 0, 0}, {6, -4, 0, 2}};
        float[][] expected;
        try (ai.djl.Model m = ai.djl.Model.newInstance("legacy")) {
            m.setBlock(dev.ensemble.ml.Networks.legacyMlp(List.of(8), 3));
            m.getBlock().initialize(m.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32,
                    new ai.djl.ndarray.types.Shape(1, 4));
            expected = Predictions.forwardProbabilities(m, m.getNDManager().create(rows));
            m.save(modelDir, "model");
        }
        ModelSpec spec = new ModelSpec("legacy", "mlp", "tabular", "mlp-4-8-3", "onnx", "PyTorch",
                List.of("a", "b", "c", "d"), List.of("x", "y", "z"), new float[4], new float[]{1, 1, 1, 1}, List.of(8),
                null, null, null, null, null, null, null, Map.of("params", "model-0000.params"));
        Map<String, Object> pred = Predictions.run(spec, modelDir, "0,0,0,0\n6,-4,0,2", p -> null, new Ctx(Map.of(), dir));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> out = (List<Map<String, Object>>) pred.get("predictions");
        for (int i = 0; i < 2; i++) {
            int best = 0;
            for (int k = 1; k < 3; k++) {
                best = expected[i][k] > expected[i][best] ? k : best;
            }
            assertEquals(List.of("x", "y", "z").get(best), out.get(i).get("label"));
            assertEquals(expected[i][best], ((Number) out.get(i).get("confidence")).doubleValue(), 1e-3);
        }
    }

    @Test
    void stopsWithinABatch() throws Exception {
        Path csv = dir.resolve("tabular.csv");
        Files.writeString(csv, TestData.blobsCsv(120, 2));
        Ctx ctx = new Ctx(Map.of("epochs", 5), dir.resolve("ck2"));
        ctx.stop = true;
        assertThrows(JobStoppedException.class, () -> NeuralJobs.tabular("m2", "mlp", csv, dir.resolve("m2"), ctx));
    }

    @Test
    void trainsClassicalModels() throws Exception {
        Path csv = dir.resolve("tabular.csv");
        Files.writeString(csv, TestData.blobsCsv(150, 3));
        for (String type : List.of("random_forest", "svm", "logistic_regression")) {
            Ctx ctx = new Ctx(Map.of("n_estimators", 10, "max_depth", 5), dir.resolve("ck-" + type));
            TrainingOutput out = TribuoJobs.train(type, type, csv, dir.resolve(type), ctx);
            assertTrue(((Number) out.metrics().get("accuracy")).doubleValue() > 0.8, type + " " + out.metrics());
            assertTrue(Files.exists(dir.resolve(type + "/model.tribuo")));
            Map<String, Object> pred = Predictions.run(out.spec(), dir.resolve(type),
                    "feature1,feature2,feature3,feature4\n0,0,0,0", p -> null, new Ctx(Map.of("probability", true), dir));
            assertEquals(1, pred.get("count"), pred.toString());
            System.out.println(type + " " + out.spec().files() + " " + ctx.logs + " " + pred);
        }
    }

    @Test
    void trainsImageTextAndCharModels() throws Exception {
        Path images = dir.resolve("images");
        TestData.unzip(TestData.imagesZip(8), images);
        Ctx ic = new Ctx(Map.of("epochs", 3, "batch_size", 8, "learning_rate", 0.01), dir.resolve("ck-img"));
        TrainingOutput img = NeuralJobs.images("img", "resnet", images, dir.resolve("img"), ic);
        Map<String, Object> ip = Predictions.run(img.spec(), dir.resolve("img"), "red/img1.png", images::resolve,
                new Ctx(Map.of("top_k", 2), dir));
        System.out.println(img.metrics() + " " + ip);

        Path text = dir.resolve("sentiment.csv");
        Files.writeString(text, TestData.sentimentCsv(120, 4));
        Ctx tc = new Ctx(Map.of("epochs", 3, "batch_size", 16, "learning_rate", 0.005, "max_length", 512), dir.resolve("ck-txt"));
        TrainingOutput txt = NeuralJobs.text("txt", "bert", text, dir.resolve("txt"), tc);
        Map<String, Object> tp = Predictions.run(txt.spec(), dir.resolve("txt"), "This is a great product!", p -> null,
                new Ctx(Map.of("temperature", 0.7, "max_length", 100), dir));
        System.out.println(txt.metrics() + " " + tp);

        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        Files.writeString(corpus.resolve("a.txt"), TestData.corpus());
        Ctx cc = new Ctx(new HashMap<>(Map.of("epochs", 2, "batch_size", 32)), dir.resolve("ck-chr"));
        TrainingOutput chr = NeuralJobs.chars("chr", "transformer", corpus, dir.resolve("chr"), cc);
        Map<String, Object> cp = Predictions.run(chr.spec(), dir.resolve("chr"), "the quick", p -> null,
                new Ctx(Map.of("max_length", 20), dir));
        System.out.println(chr.metrics() + " " + chr.extra() + " " + cp);
        assertEquals(20, ((String) cp.get("generated_text")).length());
    }
}
