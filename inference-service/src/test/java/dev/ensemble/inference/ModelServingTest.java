package dev.ensemble.inference;

import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.events.model.ModelTrained;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
class ModelServingTest {

    static final double TOL = 1e-5;
    static Path work;

    @BeforeAll
    static void dirs() throws Exception {
        work = Files.createTempDirectory("ensemble-serving-test");
    }

    static String token(UUID user) {
        return TestKeys.user(user);
    }

    static String upload(UUID user, String fileName, byte[] content, Map<String, String> fields) {
        var req = given().auth().oauth2(token(user)).multiPart("model", fileName, content);
        fields.forEach(req::multiPart);
        Response r = req.post("/api/v1/models/upload");
        r.then().statusCode(201).body("status", is("loading")).body("model_id", notNullValue())
                .body("endpoint", startsWith("/api/v1/models/"));
        return r.jsonPath().getString("model_id");
    }

    static JsonPath awaitStatus(UUID user, String id, String status) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() ->
                status.equals(given().auth().oauth2(token(user)).get("/api/v1/models/" + id).jsonPath().getString("status")));
        return given().auth().oauth2(token(user)).get("/api/v1/models/" + id).jsonPath();
    }

    static JsonPath predict(UUID user, String id, Object inputs) {
        return given().auth().oauth2(token(user)).contentType("application/json")
                .body(Map.of("inputs", inputs, "parameters", Map.of("temperature", 0.7)))
                .post("/api/v1/models/" + id + "/predict")
                .then().statusCode(200).extract().jsonPath();
    }

    static List<Float> row(float... x) {
        List<Float> l = new ArrayList<>();
        for (float f : x) {
            l.add(f);
        }
        return l;
    }

    static void assertClose(double[] expected, List<Number> actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i).doubleValue(), TOL, "value " + i);
        }
    }

    @Test
    void onnxUploadDetectsTheFormatAndPredictsWhatTheGraphComputes() {
        UUID user = UUID.randomUUID();
        String id = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0),
                Map.of("name", "linear", "labels", "[\"a\",\"b\",\"c\"]"));
        JsonPath m = awaitStatus(user, id, "ready");
        assertEquals("onnx", m.getString("format"));
        assertEquals("1.0.0", m.getString("version"));
        assertEquals(List.of(4), m.getList("input_shape"));
        assertTrue(m.getInt("replicas") >= 1);

        float[] x = {1, 2, 3, 4};
        JsonPath p = predict(user, id, Map.of("features", row(x)));
        assertClose(TestModels.linearSoftmax(TestModels.W, TestModels.B, x), p.getList("outputs.predictions"));
        assertEquals("a", p.getString("outputs.label"));
        assertEquals(id, p.getString("model_id"));
        assertEquals("onnx", p.getString("metadata.format"));
        assertEquals("onnxruntime", p.getString("metadata.runtime"));
        assertEquals("1.0.0", p.getString("metadata.version"));
        assertFalse(p.getBoolean("metadata.used_gpu"));
        assertTrue(p.getDouble("latency_ms") > 0);

        // a batch in one request: one answer per row
        float[] y = {0, 0, 0, 0};
        JsonPath batch = predict(user, id, Map.of("features", List.of(row(x), row(y))));
        List<List<Number>> rows = batch.getList("outputs.predictions");
        assertClose(TestModels.linearSoftmax(TestModels.W, TestModels.B, x), rows.get(0));
        assertClose(TestModels.linearSoftmax(TestModels.W, TestModels.B, y), rows.get(1));

        // metrics count what was served
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().auth().oauth2(token(user)).get("/api/v1/models/" + id + "/metrics").then().statusCode(200)
                        .body("model_id", is(id)).body("name", is("linear")).body("total_requests", is(2))
                        .body("status", is("ready")).body("error_rate", is(0.0f))
                        .body("p50_latency", greaterThan(0f)).body("p95_latency", greaterThan(0f))
                        .body("p99_latency", greaterThan(0f)).body("average_latency", greaterThan(0f))
                        .body("replicas", greaterThanOrEqualTo(1)));
    }

    @Test
    void torchScriptUploadPredictsWithLibTorch() throws Exception {
        UUID user = UUID.randomUUID();
        byte[] pt;
        try (var in = getClass().getResourceAsStream("/models/linear4x3.pt")) {
            pt = in.readAllBytes();
        }
        // the seed's format name for .pt files is accepted as an alias
        String id = upload(user, "linear4x3.pt", pt, Map.of("format", "pytorch", "input_shape", "4"));
        JsonPath m = awaitStatus(user, id, "ready");
        assertEquals("torchscript", m.getString("format"));
        float[] x = {0.5f, -1, 2, 0.25f};
        JsonPath p = predict(user, id, Map.of("features", row(x)));
        assertClose(TestModels.linearSoftmax(TestModels.W, TestModels.B, x), p.getList("outputs.predictions"));
        assertEquals("pytorch", p.getString("metadata.runtime"));
        // the declared input shape is enforced
        given().auth().oauth2(token(user)).contentType("application/json")
                .body(Map.of("inputs", Map.of("features", row(1, 2, 3))))
                .post("/api/v1/models/" + id + "/predict")
                .then().statusCode(400).body("code", is("VALIDATION_ERROR"))
                .body("detail", containsString("[4]")).body("errors[0].field", is("inputs.features"));
    }

    @Test
    void djlParamsOfAKnownBlockLoadAndMatchTheTrainedWeights() throws Exception {
        UUID user = UUID.randomUUID();
        TestModels.TrainedMlp mlp = TestModels.trainMlp(work.resolve("mlp-" + UUID.randomUUID()));
        byte[] params = Files.readAllBytes(mlp.params());
        // without an architecture a .params file cannot be loaded
        given().auth().oauth2(token(user)).multiPart("model", "mlp-0000.params", params)
                .post("/api/v1/models/upload").then().statusCode(400).body("errors[0].field", is("architecture"));
        // job-service names the architecture mlp-<in>-<hidden>-<out>
        String id = upload(user, "mlp-0000.params", params, Map.of("architecture", "mlp-4-8-3"));
        JsonPath m = awaitStatus(user, id, "ready");
        assertEquals("djl", m.getString("format"));
        float[] x = {0.3f, -0.7f, 1.1f, 0.0f};
        JsonPath p = predict(user, id, Map.of("features", row(x)));
        assertClose(mlp.forward(x), p.getList("outputs.predictions"));
    }

    @Test
    void tribuoClassifierTrainedHereServesItsOwnPredictions() throws Exception {
        UUID user = UUID.randomUUID();
        Path file = work.resolve("lr-" + UUID.randomUUID() + ".tribuo");
        org.tribuo.Model<Label> model = TestModels.trainTribuo(file);
        String id = upload(user, "lr.tribuo", Files.readAllBytes(file), Map.of("name", "lr"));
        JsonPath m = awaitStatus(user, id, "ready");
        assertEquals("classical", m.getString("format"));
        float[] x = {1.5f, 0.5f, -0.2f, 0.1f};
        var expected = TestModels.tribuoPredict(model, x);
        JsonPath p = predict(user, id, Map.of("features", row(x)));
        assertEquals(expected.getOutput().getLabel(), p.getString("outputs.label"));
        assertEquals("yes", p.getString("outputs.label"));
        List<String> classes = p.getList("outputs.classes");
        List<Number> scores = p.getList("outputs.predictions");
        for (int i = 0; i < classes.size(); i++) {
            assertEquals(expected.getOutputScores().get(classes.get(i)).getScore(), scores.get(i).doubleValue(), 1e-5);
        }
        assertEquals("tribuo", p.getString("metadata.runtime"));
        // features by name, in any order
        JsonPath named = predict(user, id, Map.of("f3", 0.1, "f1", 0.5, "f0", 1.5, "f2", -0.2));
        assertEquals(expected.getOutput().getLabel(), named.getString("outputs.label"));
        given().auth().oauth2(token(user)).contentType("application/json")
                .body(Map.of("inputs", Map.of("f0", 1, "f1", 1, "f2", 1, "bogus", 1)))
                .post("/api/v1/models/" + id + "/predict").then().statusCode(400)
                .body("errors[0].field", is("inputs.f3"));
    }

    @Test
    void concurrentRequestsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        UUID user = UUID.randomUUID();
        String id = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0),
                Map.of("batch_size", "16", "max_batch_delay_ms", "5"));
        awaitStatus(user, id, "ready");
        String tok = token(user);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int seed = i;
                results.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    float[] x = {r.nextFloat() * 4 - 2, r.nextFloat() * 4 - 2, r.nextFloat() * 4 - 2, r.nextFloat() * 4 - 2};
                    JsonPath p = given().auth().oauth2(tok).contentType("application/json")
                            .body(Map.of("inputs", Map.of("features", row(x))))
                            .post("/api/v1/models/" + id + "/predict").then().statusCode(200).extract().jsonPath();
                    assertClose(TestModels.linearSoftmax(TestModels.W, TestModels.B, x), p.getList("outputs.predictions"));
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().auth().oauth2(tok).get("/api/v1/models/" + id + "/metrics").then()
                        .body("total_requests", is(200)).body("error_rate", is(0.0f)));
    }

    @Test
    void predictionsAreReportedToBillingAsUsageEvents() {
        UUID user = UUID.randomUUID();
        String id = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0), Map.of("name", "billed"));
        awaitStatus(user, id, "ready");
        predict(user, id, Map.of("features", List.of(row(1, 2, 3, 4), row(4, 3, 2, 1), row(0, 0, 0, 0))));
        var records = KafkaTestClient.await(Topics.USAGE_EVENTS, r -> user.toString().equals(r.key()), Duration.ofSeconds(30));
        assertFalse(records.isEmpty(), "no usage.recorded for the user");
        var event = Events.read(records.get(0).value());
        assertEquals("usage.recorded", event.type());
        assertEquals("prediction", event.data().get("kind").asText());
        assertEquals(3, event.data().get("quantity").asInt());
        assertEquals(id, event.data().get("reference_id").asText());
        assertEquals(user.toString(), event.data().get("user_id").asText());
    }

    @Test
    void openInferenceProtocolV2ServesMetadataReadinessAndInferenceAcrossVersions() {
        UUID user = UUID.randomUUID();
        float[][] w2 = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
        float[] b2 = {0, 0, 0};
        String v1 = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0),
                Map.of("name", "iris", "version", "1"));
        String v2 = upload(user, "linear.onnx", TestModels.onnxLinear(w2, b2, 0), Map.of("name", "iris", "version", "2"));
        awaitStatus(user, v1, "ready");
        awaitStatus(user, v2, "ready");
        String tok = token(user);
        given().get("/v2/health/live").then().statusCode(200).body("live", is(true));
        given().get("/v2/health/ready").then().statusCode(200).body("ready", is(true));
        given().auth().oauth2(tok).get("/v2/models/iris").then().statusCode(200)
                .body("name", is("iris")).body("versions", containsInAnyOrder("1", "2"))
                .body("platform", is("onnxruntime_onnx"))
                .body("inputs[0].name", is("features")).body("inputs[0].datatype", is("FP32"))
                .body("inputs[0].shape", contains(-1, 4)).body("outputs[0].datatype", is("FP32"));
        given().auth().oauth2(tok).get("/v2/models/iris/versions/1/ready").then().statusCode(200)
                .body("name", is("iris")).body("ready", is(true));
        float[] x = {1, 2, 3, 4};
        Map<String, Object> request = Map.of("id", "req-1", "inputs", List.of(Map.of("name", "features",
                "shape", List.of(2, 4), "datatype", "FP32", "data", List.of(1, 2, 3, 4, 0, 0, 0, 0))));
        JsonPath r1 = given().auth().oauth2(tok).contentType("application/json").body(request)
                .post("/v2/models/iris/versions/1/infer").then().statusCode(200).extract().jsonPath();
        assertEquals("iris", r1.getString("model_name"));
        assertEquals("1", r1.getString("model_version"));
        assertEquals("req-1", r1.getString("id"));
        assertEquals(List.of(2, 3), r1.getList("outputs[0].shape"));
        assertEquals("FP32", r1.getString("outputs[0].datatype"));
        List<Number> data = r1.getList("outputs[0].data");
        assertClose(TestModels.linearSoftmax(TestModels.W, TestModels.B, x), data.subList(0, 3));
        // version 2 is a different model under the same name; the unversioned path picks the newest
        JsonPath r2 = given().auth().oauth2(tok).contentType("application/json").body(request)
                .post("/v2/models/iris/infer").then().statusCode(200).extract().jsonPath();
        assertEquals("2", r2.getString("model_version"));
        assertClose(TestModels.linearSoftmax(w2, b2, x), r2.<Number>getList("outputs[0].data").subList(0, 3));
        // typed tensor errors
        given().auth().oauth2(tok).contentType("application/json")
                .body(Map.of("inputs", List.of(Map.of("name", "x", "shape", List.of(1, 3), "datatype", "FP32",
                        "data", List.of(1, 2, 3))))).post("/v2/models/iris/infer")
                .then().statusCode(400).body("error", containsString("4"));
        given().auth().oauth2(tok).contentType("application/json")
                .body(Map.of("inputs", List.of(Map.of("name", "x", "shape", List.of(1, 4), "datatype", "BYTES",
                        "data", List.of("a", "b", "c", "d"))))).post("/v2/models/iris/infer")
                .then().statusCode(400).body("errors[0].field", is("inputs[0].datatype"));
        given().auth().oauth2(tok).get("/v2/models/nope").then().statusCode(404);
        given().auth().oauth2(token(UUID.randomUUID())).get("/v2/models/iris").then().statusCode(404);
        given().get("/v2/models/iris").then().statusCode(401);
    }

    @Test
    void badInputsAreClearFourHundreds() {
        UUID user = UUID.randomUUID();
        String id = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0), Map.of());
        awaitStatus(user, id, "ready");
        String tok = token(user);
        String path = "/api/v1/models/" + id + "/predict";
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("inputs", Map.of("features", row(1, 2))))
                .post(path).then().statusCode(400).body("code", is("VALIDATION_ERROR"))
                .body("detail", containsString("expected shape [4]"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("inputs", Map.of("features", List.of(1, "x", 3, 4))))
                .post(path).then().statusCode(400).body("errors[0].field", is("inputs.features[1]"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("parameters", Map.of()))
                .post(path).then().statusCode(400).body("errors[0].field", is("inputs"));
        given().auth().oauth2(tok).contentType("application/json").body("{\"inputs\": [1, 2,")
                .post(path).then().statusCode(400).body("code", is("MALFORMED_JSON"));
        given().auth().oauth2(tok).contentType("application/json").body("[1,2,3,4]")
                .post(path).then().statusCode(400);
        given().auth().oauth2(tok).contentType("application/json")
                .body(Map.of("inputs", Map.of("features", List.of(List.of(1, 2, 3, 4), List.of(1, 2)))))
                .post(path).then().statusCode(400);
        given().auth().oauth2(tok).contentType("application/json").body("{\"inputs\": {\"features\": [1e999, 1, 1, 1]}}")
                .post(path).then().statusCode(400);
    }

    @Test
    void corruptAndMislabelledFilesAreRefusedOrFailedNeverACrash() throws Exception {
        UUID user = UUID.randomUUID();
        String tok = token(user);
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        given().auth().oauth2(tok).multiPart("model", "model.onnx", junk).post("/api/v1/models/upload")
                .then().statusCode(400).body("errors[0].field", is("model")).body("detail", containsString("onnx"));
        given().auth().oauth2(tok).multiPart("model", "model.bin", "hello".getBytes()).multiPart("format", "onnx")
                .post("/api/v1/models/upload").then().statusCode(400).body("errors[0].field", is("model"));
        // a Tribuo file labelled as ONNX
        Path tribuo = work.resolve("x-" + UUID.randomUUID() + ".tribuo");
        TestModels.trainTribuo(tribuo);
        given().auth().oauth2(tok).multiPart("model", "model.onnx", Files.readAllBytes(tribuo)).multiPart("format", "onnx")
                .post("/api/v1/models/upload").then().statusCode(400).body("errors[0].field", is("format"))
                .body("detail", containsString("classical"));
        given().auth().oauth2(tok).multiPart("model", "m.onnx", junk).multiPart("format", "keras")
                .post("/api/v1/models/upload").then().statusCode(400).body("errors[0].field", is("format"));
        given().auth().oauth2(tok).multiPart("name", "no file").post("/api/v1/models/upload")
                .then().statusCode(400).body("errors[0].field", is("model"));
        given().auth().oauth2(tok).multiPart("model", "m.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0))
                .multiPart("gpu_required", "maybe").post("/api/v1/models/upload")
                .then().statusCode(400).body("errors[0].field", is("gpu_required"));
        // a well-formed ONNX file that ONNX Runtime cannot load: accepted, then failed with the reason
        String id = upload(user, "broken.onnx", TestModels.onnxBroken(), Map.of());
        JsonPath m = awaitStatus(user, id, "failed");
        assertTrue(m.getString("error").contains("NoSuchOperator"), m.getString("error"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("inputs", Map.of("features", row(1, 2, 3, 4))))
                .post("/api/v1/models/" + id + "/predict").then().statusCode(422).body("code", is("MODEL_NOT_LOADED"));
    }

    @Test
    void quotaLimitsFileSizeStorageAndUploadRate() {
        UUID user = UUID.randomUUID();
        String tok = token(user);
        given().auth().oauth2(tok).get("/api/v1/quota").then().statusCode(200)
                .body("user_id", is(user.toString())).body("storage.used_bytes", is(0))
                .body("storage.limit_bytes", is(5 * 1024 * 1024)).body("storage.used_pct", is(0.0f))
                .body("file_size.max_bytes", is(2 * 1024 * 1024))
                .body("rate_limits.uploads_last_hour", is(0)).body("rate_limits.hourly_limit", is(8))
                .body("rate_limits.uploads_last_day", is(0)).body("rate_limits.daily_limit", is(500));
        given().get("/api/v1/quota").then().statusCode(401);
        // larger than the largest file: refused from its Content-Length before it is read
        given().auth().oauth2(tok).multiPart("model", "big.onnx", new byte[3 * 1024 * 1024])
                .post("/api/v1/models/upload").then().statusCode(413).body("code", is("PAYLOAD_TOO_LARGE"));
        // 1.8 MB models fill the 5 MB storage on the third
        byte[] big = TestModels.onnxLinear(TestModels.W, TestModels.B, 1_800_000);
        upload(user, "a.onnx", big, Map.of());
        upload(user, "b.onnx", big, Map.of());
        given().auth().oauth2(tok).multiPart("model", "c.onnx", big).post("/api/v1/models/upload")
                .then().statusCode(413).body("code", is("QUOTA_EXCEEDED")).body("detail", containsString("storage"));
        given().auth().oauth2(tok).get("/api/v1/quota").then().body("rate_limits.uploads_last_hour", is(2))
                .body("storage.used_bytes", greaterThan(3_600_000));
        // the hourly upload limit (8 in tests)
        UUID busy = UUID.randomUUID();
        byte[] small = TestModels.onnxLinear(TestModels.W, TestModels.B, 0);
        for (int i = 0; i < 8; i++) {
            upload(busy, "m" + i + ".onnx", small, Map.of());
        }
        given().auth().oauth2(token(busy)).multiPart("model", "m9.onnx", small).post("/api/v1/models/upload")
                .then().statusCode(429).body("code", is("QUOTA_EXCEEDED")).header("Retry-After", notNullValue());
    }

    @Test
    void ownershipAuthAndDelete() {
        UUID owner = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        String id = upload(owner, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0), Map.of("name", "mine"));
        awaitStatus(owner, id, "ready");
        String path = "/api/v1/models/" + id;
        given().get(path).then().statusCode(401);
        given().contentType("application/json").body(Map.of("inputs", Map.of("features", row(1, 2, 3, 4))))
                .post(path + "/predict").then().statusCode(401);
        given().multiPart("model", "x.onnx", new byte[]{1}).post("/api/v1/models/upload").then().statusCode(401);
        for (String p : List.of(path, path + "/metrics", path + "/performance")) {
            given().auth().oauth2(token(other)).get(p).then().statusCode(404).body("code", is("NOT_FOUND"));
        }
        given().auth().oauth2(token(other)).contentType("application/json")
                .body(Map.of("inputs", Map.of("features", row(1, 2, 3, 4)))).post(path + "/predict").then().statusCode(404);
        given().auth().oauth2(token(other)).delete(path).then().statusCode(404);
        given().auth().oauth2(token(other)).get("/api/v1/models").then().body("total", is(0));

        given().auth().oauth2(token(owner)).get("/api/v1/models?limit=1").then().statusCode(200)
                .body("models[0].id", is(id)).body("models[0].name", is("mine")).body("models[0].status", is("ready"))
                .body("models[0].created_at", notNullValue()).body("count", is(1)).body("total", is(1));
        Path stored = Path.of("target/test-models/uploads").resolve(owner.toString()).resolve(id);
        assertTrue(Files.exists(stored.resolve("model.onnx")));
        given().auth().oauth2(token(owner)).delete(path).then().statusCode(200)
                .body("message", is("Model deleted successfully"));
        assertFalse(Files.exists(stored));
        given().auth().oauth2(token(owner)).get(path).then().statusCode(404);
        given().auth().oauth2(token(owner)).contentType("application/json")
                .body(Map.of("inputs", Map.of("features", row(1, 2, 3, 4)))).post(path + "/predict").then().statusCode(404);
    }

    @Test
    void formatsArePublicAndOnlyThoseThatLoad() {
        given().get("/api/v1/models/formats").then().statusCode(200)
                .body("count", is(4))
                .body("formats.format", contains("onnx", "torchscript", "djl", "classical"))
                .body("formats[0].extensions", contains(".onnx")).body("formats[0].engine", is("OnnxRuntime"))
                .body("formats[1].extensions", hasItems(".pt", ".pth")).body("formats[1].framework", is("PyTorch"))
                .body("formats[0].description", notNullValue());
    }

    @Test
    void aisembleModelManagementLoadUnloadAndPerformance() {
        UUID user = UUID.randomUUID();
        String tok = token(user);
        String id = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0), Map.of("name", "semble"));
        awaitStatus(user, id, "ready");
        predict(user, id, Map.of("features", row(1, 2, 3, 4)));
        given().auth().oauth2(tok).header("X-Ensemble-Dialect", "aisemble").get("/api/v1/models").then().statusCode(200)
                .body("models[0].id", is(id)).body("models[0].name", is("semble")).body("models[0].version", is("1.0.0"))
                .body("models[0].status", is("loaded")).body("models[0].type", notNullValue())
                .body("models[0].capabilities", hasItem("prediction"))
                .body("models[0].parameters", notNullValue())
                .body("models[0].performance.avg_response_time", notNullValue())
                .body("models[0].performance.requests_per_hour", notNullValue());
        given().auth().oauth2(tok).contentType("application/json").body(Map.of()).post("/api/v1/models/" + id + "/unload")
                .then().statusCode(200).body("status", is("unloaded"));
        awaitStatus(user, id, "unloaded");
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("force_reload", false, "gpu_device", 0))
                .post("/api/v1/models/" + id + "/load").then().statusCode(200)
                .body("model_id", is(id)).body("status", is("loading")).body("estimated_time", notNullValue())
                .body("message", is("Model loading initiated"));
        awaitStatus(user, id, "ready");
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("force_reload", "yes"))
                .post("/api/v1/models/" + id + "/load").then().statusCode(400).body("errors[0].field", is("force_reload"));
        // an unloaded model loads again on its next request
        given().auth().oauth2(tok).post("/api/v1/models/" + id + "/unload").then().statusCode(200);
        predict(user, id, Map.of("features", row(1, 2, 3, 4)));
        given().auth().oauth2(tok).get("/api/v1/models/" + id + "/performance").then().statusCode(200)
                .body("model_id", is(id))
                .body("performance_metrics.requests_total", greaterThanOrEqualTo(1))
                .body("performance_metrics.avg_response_time", notNullValue())
                .body("performance_metrics.p95_response_time", notNullValue())
                .body("performance_metrics.success_rate", is(100.0f))
                .body("performance_metrics.error_rate", is(0.0f))
                .body("performance_metrics.throughput_per_hour", notNullValue())
                .body("resource_usage.memory_mb", notNullValue())
                .body("resource_usage.gpu_memory_mb", is(0))
                .body("resource_usage.cpu_percent", notNullValue());
        // batching is tunable per model without a reload
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("batch_size", 1, "max_batch_delay_ms", 0))
                .put("/api/v1/models/" + id + "/config").then().statusCode(200)
                .body("batching.batch_size", is(1)).body("batching.max_batch_delay_ms", is(0));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("batch_size", 0))
                .put("/api/v1/models/" + id + "/config").then().statusCode(400).body("errors[0].field", is("batch_size"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("min_workers", 3, "max_workers", 2))
                .put("/api/v1/models/" + id + "/config").then().statusCode(400).body("errors[0].field", is("min_workers"));
        given().auth().oauth2(tok).get("/api/v1/models/" + id).then().body("batching.max_workers", is(2))
                .body("batching.batch_size", is(1));
    }

    @Test
    void aTrainedModelEventRegistersTheModelForItsOwnerOnce() throws Exception {
        UUID owner = UUID.randomUUID();
        UUID modelId = UUID.randomUUID();
        Path root = Path.of("target/test-models");
        Path dir = root.resolve("trained").resolve(modelId.toString());
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), TestModels.onnxLinear(TestModels.W, TestModels.B, 0));
        ModelTrained trained = new ModelTrained(modelId, owner, UUID.randomUUID(), "churn", "2.0.0", "classification",
                "pytorch", "OnnxRuntime", "onnx", null, "trained/" + modelId + "/model.onnx", List.of(4L), "float32",
                List.of("low", "mid", "high"), Map.of("accuracy", 0.9));
        String event = Events.write(Events.envelope(ModelTrained.TYPE, modelId.toString(), "job-service", 1, null, trained));
        KafkaTestClient.send(Topics.MODEL_EVENTS, modelId.toString(), event);
        KafkaTestClient.send(Topics.MODEL_EVENTS, modelId.toString(), event);
        JsonPath m = awaitStatus(owner, modelId.toString(), "ready");
        assertEquals("churn", m.getString("name"));
        assertEquals("2.0.0", m.getString("version"));
        assertEquals("training", m.getString("source"));
        float[] x = {0, 0, 1, 0};
        JsonPath p = predict(owner, modelId.toString(), Map.of("features", row(x)));
        assertClose(TestModels.linearSoftmax(TestModels.W, TestModels.B, x), p.getList("outputs.predictions"));
        assertEquals("low", p.getString("outputs.label"));
        given().auth().oauth2(token(owner)).get("/api/v1/models").then().body("total", is(1));
        // another user does not see it
        given().auth().oauth2(token(UUID.randomUUID())).get("/api/v1/models/" + modelId).then().statusCode(404);

        // a path outside model storage is a poison event
        ModelTrained escape = new ModelTrained(UUID.randomUUID(), owner, null, "x", null, null, null, null, "onnx", null,
                "../../etc/passwd", null, null, null, null);
        String key = "escape-" + UUID.randomUUID();
        KafkaTestClient.send(Topics.MODEL_EVENTS, key,
                Events.write(Events.envelope(ModelTrained.TYPE, key, "test", 1, null, escape)));
        assertFalse(KafkaTestClient.await(Topics.dlq(Topics.MODEL_EVENTS), r -> key.equals(r.key()), Duration.ofSeconds(30))
                .isEmpty(), "poison event did not reach the DLQ");
    }

    @Test
    void exportHoldsTheUsersModels() {
        UUID user = UUID.randomUUID();
        String id = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0), Map.of("name", "exported"));
        given().auth().oauth2(token(user)).get("/internal/v1/export").then().statusCode(200)
                .body("service", is("inference-service")).body("data.models[0].id", is(id))
                .body("data.models[0].name", is("exported")).body("data.usage_quota.user_id", is(user.toString()));
        given().get("/internal/v1/export").then().statusCode(401);
    }
}
