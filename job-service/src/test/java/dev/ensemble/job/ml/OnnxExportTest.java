package dev.ensemble.job.ml;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ONNX files a training job writes run in ONNX Runtime and agree with the trained model. */
class OnnxExportTest {

    @TempDir
    Path dir;

    @Test
    void mlpExportAgreesWithDjl() throws Exception {
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, TestData.blobsCsv(150, 11));
        TrainingOutput out = NeuralJobs.tabular("m", "mlp", csv, dir.resolve("m"),
                new MlTrainingTest.Ctx(Map.of("epochs", 3, "learning_rate", 0.01), dir.resolve("ck")));
        float[][] rows = {{0, 0, 0, 0}, {3, -2, 0, 1}, {6, -4, 0.5f, 2}};
        Map<String, Object> djl = Predictions.run(out.spec(), dir.resolve("m"), "0,0,0,0\n3,-2,0,1\n6,-4,0.5,2",
                p -> null, new MlTrainingTest.Ctx(Map.of("top_k", 3), dir));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(dir.resolve("m/model.onnx").toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, rows);
             OrtSession.Result result = session.run(Map.of("input", input))) {
            float[][] probs = (float[][]) result.get(0).getValue();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> preds = (List<Map<String, Object>>) djl.get("predictions");
            for (int i = 0; i < rows.length; i++) {
                int best = 0;
                float sum = 0;
                for (int c = 0; c < probs[i].length; c++) {
                    sum += probs[i][c];
                    if (probs[i][c] > probs[i][best]) {
                        best = c;
                    }
                }
                assertEquals(1.0, sum, 1e-4);
                assertEquals(preds.get(i).get("label"), out.spec().labels().get(best));
                assertEquals(((Number) preds.get(i).get("confidence")).doubleValue(), probs[i][best], 1e-3);
            }
        }
    }

    @Test
    void cnnExportAgreesWithDjl() throws Exception {
        Path images = dir.resolve("images");
        TestData.unzip(TestData.imagesZip(4), images);
        TrainingOutput out = NeuralJobs.images("c", "cnn", images, dir.resolve("c"),
                new MlTrainingTest.Ctx(Map.of("epochs", 2, "image_size", 12, "learning_rate", 0.01), dir.resolve("ck")));
        assertEquals("onnx", out.format());
        assertEquals("model.onnx", out.mainFile());
        List<String> files = List.of("red/img0.png", "blue/img1.png", "green/img2.png");
        float[][][][] batch = new float[files.size()][][][];
        for (int i = 0; i < files.size(); i++) {
            float[] chw = ImageData.read(images.resolve(files.get(i)), 12);
            batch[i] = new float[3][12][12];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 12; y++) {
                    System.arraycopy(chw, c * 144 + y * 12, batch[i][c][y], 0, 12);
                }
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(dir.resolve("c/model.onnx").toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, batch);
             OrtSession.Result result = session.run(Map.of("input", input))) {
            float[][] probs = (float[][]) result.get(0).getValue();
            for (int i = 0; i < files.size(); i++) {
                Map<String, Object> djl = Predictions.run(out.spec(), dir.resolve("c"), files.get(i), images::resolve,
                        new MlTrainingTest.Ctx(Map.of(), dir));
                @SuppressWarnings("unchecked")
                Map<String, Object> p = ((List<Map<String, Object>>) djl.get("predictions")).get(0);
                int best = 0;
                for (int c = 1; c < probs[i].length; c++) {
                    best = probs[i][c] > probs[i][best] ? c : best;
                }
                assertEquals(p.get("label"), out.spec().labels().get(best));
                assertEquals(((Number) p.get("confidence")).doubleValue(), probs[i][best], 1e-3);
            }
        }
    }

    @Test
    void logisticRegressionExportRuns() throws Exception {
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, TestData.blobsCsv(90, 12));
        TrainingOutput out = TribuoJobs.train("lr", "logistic_regression", csv, dir.resolve("lr"),
                new MlTrainingTest.Ctx(Map.of(), dir.resolve("ck")));
        assertEquals("model.onnx", out.spec().files().get("onnx"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(dir.resolve("lr/model.onnx").toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, new float[][]{{6, -4, 0, 2}});
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            float[][] scores = (float[][]) result.get(0).getValue();
            assertEquals(3, scores[0].length);
            assertTrue(scores[0][0] >= 0);
        }
    }
}
