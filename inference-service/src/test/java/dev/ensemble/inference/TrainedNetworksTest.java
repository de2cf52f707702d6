package dev.ensemble.inference;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.events.model.ModelTrained;
import dev.ensemble.ml.Architecture;
import dev.ensemble.ml.Pixels;
import dev.ensemble.ml.TextIds;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static dev.ensemble.inference.ModelServingTest.awaitStatus;
import static dev.ensemble.inference.ModelServingTest.predict;
import static dev.ensemble.inference.ModelServingTest.token;
import static dev.ensemble.inference.ModelServingTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The networks job-service trains (small CNN, text and character transformers) served from their
 * {@code .params} files: uploaded with their architecture string and announced on {@code model.events}.
 * Each answer is checked against the same parameters run in-process through DJL.
 */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
class TrainedNetworksTest {

    /** A network with random weights saved as {@code model-0000.params}, kept open to compute expected answers. */
    static final class Net implements AutoCloseable {
        final Architecture arch;
        final Path dir;
        final Model model;

        Net(String architecture, Path dir) throws Exception {
            this.arch = Architecture.parse(architecture);
            this.dir = dir;
            Files.createDirectories(dir);
            model = Model.newInstance("model", "PyTorch");
            model.setBlock(arch.newBlock());
            long[] row = arch.inputShape();
            long[] shape = new long[row.length + 1];
            shape[0] = 1;
            System.arraycopy(row, 0, shape, 1, row.length);
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(shape));
            model.save(dir, "model");
        }

        byte[] params() throws Exception {
            return Files.readAllBytes(dir.resolve("model-0000.params"));
        }

        /** Outputs for rows given as floats (cast to the network's input type), one float[] per row. */
        List<float[]> forward(float[][] rows) {
            try (NDManager m = model.getNDManager().newSubManager()) {
                long[] row = arch.inputShape();
                long[] shape = new long[row.length + 1];
                shape[0] = rows.length;
                System.arraycopy(row, 0, shape, 1, row.length);
                float[] flat = new float[rows.length * rows[0].length];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i], 0, flat, i * rows[i].length, rows[i].length);
                }
                NDArray x = m.create(flat, new Shape(shape)).toType(arch.inputType(), false);
                float[] out = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false)
                        .singletonOrThrow().toFloatArray();
                List<float[]> result = new ArrayList<>();
                int n = arch.outputs();
                for (int i = 0; i < rows.length; i++) {
                    float[] r = new float[n];
                    System.arraycopy(out, i * n, r, 0, n);
                    result.add(r);
                }
                return result;
            }
        }

        @Override
        public void close() {
            model.close();
        }
    }

    static Path work() throws Exception {
        return Files.createTempDirectory("ensemble-networks-test");
    }

    static float[] floats(long[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            f[i] = ids[i];
        }
        return f;
    }

    static void assertRow(float[] expected, List<Number> actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i).doubleValue(), 1e-4, "value " + i);
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static byte[] png(long seed, int size) throws Exception {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static List<Object> nestedImage(float[] chw, int channels, int h, int w) {
        List<Object> planes = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            List<Object> rows = new ArrayList<>();
            for (int y = 0; y < h; y++) {
                List<Float> row = new ArrayList<>();
                for (int x = 0; x < w; x++) {
                    row.add(chw[c * h * w + y * w + x]);
                }
                rows.add(row);
            }
            planes.add(rows);
        }
        return planes;
    }

    @Test
    void aSmallCnnTakesPixelArraysAndEncodedImages() throws Exception {
        UUID user = UUID.randomUUID();
        try (Net net = new Net("small-cnn-3x8x8-3", work().resolve("cnn"))) {
            String id = upload(user, "model-0000.params", net.params(), Map.of("architecture", net.arch.id(),
                    "labels", "[\"cat\",\"dog\",\"owl\"]"));
            JsonPath m = awaitStatus(user, id, "ready");
            assertEquals(List.of(3, 8, 8), m.getList("input_shape"));

            byte[] image = png(1, 16);
            float[] pixels = Pixels.decode(image, 8, 8);
            float[] expected = net.forward(new float[][]{pixels}).get(0);
            JsonPath p = predict(user, id, nestedImage(pixels, 3, 8, 8));
            assertRow(expected, p.getList("outputs.predictions"));
            assertEquals(List.of("cat", "dog", "owl").get(argmax(expected)), p.getString("outputs.label"));

            // the same image sent encoded, alone and in a batch (with a data: URL prefix)
            String b64 = Base64.getEncoder().encodeToString(image);
            assertRow(expected, predict(user, id, b64).getList("outputs.predictions"));
            float[] second = Pixels.decode(png(2, 8), 8, 8);
            List<float[]> both = net.forward(new float[][]{pixels, second});
            JsonPath batch = predict(user, id, Map.of("images", List.of("data:image/png;base64," + b64,
                    Base64.getEncoder().encodeToString(png(2, 8)))));
            List<List<Number>> rows = batch.getList("outputs.predictions");
            assertRow(both.get(0), rows.get(0));
            assertRow(both.get(1), rows.get(1));

            // wrong shapes and broken images are 400s naming the problem
            given().auth().oauth2(token(user)).contentType("application/json")
                    .body(Map.of("inputs", List.of(List.of(1, 2, 3)))).post("/api/v1/models/" + id + "/predict")
                    .then().statusCode(400).body("detail", containsString("[3, 8, 8]"));
            given().auth().oauth2(token(user)).contentType("application/json")
                    .body(Map.of("inputs", "%%% not base64")).post("/api/v1/models/" + id + "/predict")
                    .then().statusCode(400).body("errors[0].field", is("inputs")).body("detail", containsString("base64"));
            given().auth().oauth2(token(user)).contentType("application/json")
                    .body(Map.of("inputs", List.of(b64, Base64.getEncoder().encodeToString("text".getBytes()))))
                    .post("/api/v1/models/" + id + "/predict")
                    .then().statusCode(400).body("errors[0].field", is("inputs[1]"))
                    .body("detail", containsString("not a readable image"));
            // another user's model is not there
            given().auth().oauth2(token(UUID.randomUUID())).contentType("application/json")
                    .body(Map.of("inputs", b64)).post("/api/v1/models/" + id + "/predict").then().statusCode(404);
        }
    }

    @Test
    void aTextTransformerTakesTextOrTokenIds() throws Exception {
        UUID user = UUID.randomUUID();
        try (Net net = new Net("text-transformer-1x8-h2-len6-vocab64-2", work().resolve("text"))) {
            String id = upload(user, "model-0000.params", net.params(), Map.of("architecture", net.arch.id(),
                    "labels", "[\"neg\",\"pos\"]"));
            awaitStatus(user, id, "ready");
            String text = "Great product, would buy again";
            float[] ids = floats(TextIds.wordIds(text, 64, 6));
            float[] expected = net.forward(new float[][]{ids}).get(0);

            JsonPath p = predict(user, id, text);
            assertRow(expected, p.getList("outputs.predictions"));
            assertEquals(List.of("neg", "pos").get(argmax(expected)), p.getString("outputs.label"));
            List<Float> idRow = new ArrayList<>();
            for (float f : ids) {
                idRow.add(f);
            }
            assertRow(expected, predict(user, id, idRow).getList("outputs.predictions"));
            JsonPath batch = predict(user, id, Map.of("text", List.of(text, "terrible")));
            List<float[]> both = net.forward(new float[][]{ids, floats(TextIds.wordIds("terrible", 64, 6))});
            List<List<Number>> rows = batch.getList("outputs.predictions");
            assertRow(both.get(0), rows.get(0));
            assertRow(both.get(1), rows.get(1));

            // ids outside the vocabulary, or not whole, are refused before they reach the embedding
            for (List<Number> bad : List.of(List.<Number>of(1, 2, 3, 4, 5, 64), List.<Number>of(1, 2, 3, 4, 5, -1),
                    List.<Number>of(1, 2, 3, 4, 5, 1.5))) {
                given().auth().oauth2(token(user)).contentType("application/json").body(Map.of("inputs", bad))
                        .post("/api/v1/models/" + id + "/predict").then().statusCode(400)
                        .body("detail", containsString("0 to 63"));
            }

            // Open Inference Protocol: a typed INT64 tensor
            String name = given().auth().oauth2(token(user)).get("/api/v1/models/" + id).jsonPath().getString("name");
            given().auth().oauth2(token(user)).get("/v2/models/" + name).then().statusCode(200)
                    .body("inputs[0].datatype", is("INT64"));
            List<Long> longIds = new ArrayList<>();
            for (float f : ids) {
                longIds.add((long) f);
            }
            JsonPath oip = given().auth().oauth2(token(user)).contentType("application/json")
                    .body(Map.of("inputs", List.of(Map.of("name", "input0", "shape", List.of(1, 6), "datatype", "INT64",
                            "data", longIds))))
                    .post("/v2/models/" + name + "/infer").then().statusCode(200).extract().jsonPath();
            assertRow(expected, oip.getList("outputs[0].data"));
            given().auth().oauth2(token(user)).contentType("application/json")
                    .body(Map.of("inputs", List.of(Map.of("name", "input0", "shape", List.of(1, 6), "datatype", "INT64",
                            "data", List.of(1, 2, 3, 4, 5, 999)))))
                    .post("/v2/models/" + name + "/infer").then().statusCode(400);
        }
    }

    @Test
    void trainedCnnAndCharModelsAnnouncedOnModelEventsServe() throws Exception {
        UUID owner = UUID.randomUUID();
        Path root = Path.of("target/test-models");
        String alphabet = " abcd";
        List<String> labels = alphabet.chars().mapToObj(c -> String.valueOf((char) c)).toList();

        UUID cnnId = UUID.randomUUID();
        UUID charsId = UUID.randomUUID();
        try (Net cnn = new Net("small-cnn-3x8x8-2", root.resolve("trained").resolve(cnnId.toString()));
             Net chars = new Net("char-transformer-1x8-h2-ctx5-vocab5",
                     root.resolve("trained").resolve(charsId.toString()))) {
            announce(new ModelTrained(cnnId, owner, UUID.randomUUID(), "shapes", "1", "cnn", "pytorch", "PyTorch",
                    "djl", cnn.arch.id(), "trained/" + cnnId + "/model-0000.params", List.of(3L, 8L, 8L), "float32",
                    List.of("circle", "square"), Map.of("accuracy", 0.9)));
            // job-service's spelling before heads were written out
            announce(new ModelTrained(charsId, owner, UUID.randomUUID(), "poet", "1", "gpt", "pytorch", "PyTorch",
                    "djl", "char-transformer-1x8-ctx5-vocab5", "trained/" + charsId + "/model-0000.params",
                    List.of(5L), "int64", labels, Map.of()));

            awaitStatus(owner, cnnId.toString(), "ready");
            byte[] image = png(3, 8);
            float[] expected = cnn.forward(new float[][]{Pixels.decode(image, 8, 8)}).get(0);
            JsonPath p = predict(owner, cnnId.toString(), Base64.getEncoder().encodeToString(image));
            assertRow(expected, p.getList("outputs.predictions"));
            assertEquals(List.of("circle", "square").get(argmax(expected)), p.getString("outputs.label"));

            awaitStatus(owner, charsId.toString(), "ready");
            float[] next = chars.forward(new float[][]{floats(TextIds.charIds("abba cab", alphabet, 5))}).get(0);
            JsonPath g = predict(owner, charsId.toString(), "abba cab");
            assertRow(next, g.getList("outputs.predictions"));
            assertEquals(labels.get(argmax(next)), g.getString("outputs.label"));
        }
    }

    private static void announce(ModelTrained t) {
        String event = Events.write(Events.envelope(ModelTrained.TYPE, t.modelId().toString(), "job-service", 1, null, t));
        KafkaTestClient.send(Topics.MODEL_EVENTS, t.modelId().toString(), event);
    }
}
