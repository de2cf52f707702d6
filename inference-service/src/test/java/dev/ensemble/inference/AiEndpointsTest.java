package dev.ensemble.inference;

import dev.ensemble.ml.Pixels;
import dev.ensemble.testing.EnsembleTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ensemble.inference.ModelServingTest.awaitStatus;
import static dev.ensemble.inference.ModelServingTest.token;
import static dev.ensemble.inference.ModelServingTest.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ai-semble's vision and NLP endpoints on inference-service's canonical paths. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
class AiEndpointsTest {

    static JsonPath nlp(UUID user, String path, Map<String, Object> body) {
        return given().auth().oauth2(token(user)).contentType("application/json").body(body)
                .post("/api/v1/nlp/" + path).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void analyzesTheSeedsExampleText() {
        UUID user = UUID.randomUUID();
        JsonPath r = nlp(user, "analyze", Map.of("text", "I love this product! It's amazing and works perfectly.",
                "analysis_types", List.of("sentiment", "entities", "keywords", "language"), "language", "auto"));
        assertEquals("en", r.getString("detected_language"));
        assertEquals("positive", r.getString("sentiment.label"));
        assertTrue(r.getFloat("sentiment.polarity") > 0.5f);
        assertTrue(r.getFloat("sentiment.confidence") > 0.5f);
        assertEquals(54, r.getInt("text_length"));
        List<String> keywords = r.getList("keywords.text");
        assertTrue(keywords.contains("love") || keywords.contains("amazing"), keywords.toString());
        assertTrue(r.getString("request_id").length() > 4);

        JsonPath neg = nlp(user, "analyze", Map.of("text", "The update is not good. It crashed twice and support was terrible.",
                "analysis_types", List.of("sentiment")));
        assertEquals("negative", neg.getString("sentiment.label"));
        assertTrue(neg.get("keywords") == null);
        JsonPath neutral = nlp(user, "analyze", Map.of("text", "The parcel arrived on Tuesday.", "analysis_types", "sentiment"));
        assertEquals("neutral", neutral.getString("sentiment.label"));

        JsonPath es = nlp(user, "analyze", Map.of("text", "El servicio es muy bueno y la comida de este lugar es excelente"));
        assertEquals("es", es.getString("detected_language"));
        assertEquals("sentiment", es.getString("unavailable[0].type"));

        JsonPath ents = nlp(user, "analyze", Map.of("text", "Email ops@example.com or see https://ensemble.dev/docs. "
                + "Ada Lovelace paid $1,250.50 on 2026-12-01, a 15% rise.", "analysis_types", List.of("entities")));
        List<String> labels = ents.getList("entities.label");
        for (String l : List.of("EMAIL", "URL", "MONEY", "DATE", "PERCENT", "PROPER_NOUN")) {
            assertTrue(labels.contains(l), l + " in " + labels);
        }
        assertTrue(ents.getList("entities.text").contains("Ada Lovelace"));

        // hostile shapes answer in linear time (a quadratic pattern would stall here)
        long t0 = System.nanoTime();
        nlp(user, "analyze", Map.of("text", "a.".repeat(49_000) + "b"));
        nlp(user, "analyze", Map.of("text", "Ab ".repeat(33_000)));
        nlp(user, "analyze", Map.of("text", "http://" + ".".repeat(99_000)));
        nlp(user, "analyze", Map.of("text", "a@" + "b.".repeat(49_000)));
        nlp(user, "summarize", Map.of("text", "word ".repeat(19_999) + "end.", "max_length", 5_000));
        assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "hostile texts took over 30 s");
    }

    @Test
    void nlpValidatesItsInput() {
        String tok = token(UUID.randomUUID());
        given().auth().oauth2(tok).contentType("application/json").body("{\"text\": ")
                .post("/api/v1/nlp/analyze").then().statusCode(400);
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("text", 42))
                .post("/api/v1/nlp/analyze").then().statusCode(400).body("errors[0].field", is("text"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("text", "  "))
                .post("/api/v1/nlp/analyze").then().statusCode(400).body("errors[0].field", is("text"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("text", "hi", "analysis_types", List.of("mood")))
                .post("/api/v1/nlp/analyze").then().statusCode(400).body("errors[0].field", is("analysis_types"))
                .body("detail", containsString("sentiment"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("text", "x".repeat(100_001)))
                .post("/api/v1/nlp/analyze").then().statusCode(400).body("detail", containsString("100000"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("text", "a. b.", "max_length", 5, "min_length", 9))
                .post("/api/v1/nlp/summarize").then().statusCode(400).body("errors[0].field", is("min_length"));
        given().auth().oauth2(tok).contentType("application/json").body(Map.of("text", "a. b.", "max_length", "lots"))
                .post("/api/v1/nlp/summarize").then().statusCode(400).body("errors[0].field", is("max_length"));
        given().contentType("application/json").body(Map.of("text", "hi")).post("/api/v1/nlp/analyze")
                .then().statusCode(401);
    }

    @Test
    void summarizesWithinTheLengthAsked() {
        String text = "Ensemble is a self-hosted AI platform. It serves models, queues training jobs and bills for usage. "
                + "The weather was pleasant yesterday. "
                + "Models trained by jobs are served by the platform automatically. "
                + "Billing guardrails stop spending before it happens, and the platform meters every model call. "
                + "Someone mentioned lunch.";
        JsonPath r = nlp(UUID.randomUUID(), "summarize", Map.of("text", text, "max_length", 30, "min_length", 10,
                "model", "bart-large-cnn"));
        String summary = r.getString("summary");
        assertTrue(r.getInt("summary_length") <= 30 && r.getInt("summary_length") >= 10, r.prettify());
        assertTrue(r.getInt("original_length") > r.getInt("summary_length"));
        assertEquals(Math.round(1000.0 * r.getInt("summary_length") / r.getInt("original_length")) / 1000.0,
                r.getDouble("compression_ratio"), 1e-9);
        assertTrue(summary.contains("platform"), summary);
        assertTrue(!summary.contains("lunch") && !summary.contains("weather"), summary);
        assertTrue(text.contains(summary.split("\\. ")[0]), "extractive: sentences come from the text");
        assertEquals("extractive", r.getString("method"));
        // one sentence longer than the limit is cut to it
        JsonPath cut = nlp(UUID.randomUUID(), "summarize", Map.of("text", "one two three four five six seven eight", "max_length", 3));
        assertEquals("one two three...", cut.getString("summary"));
    }

    @Test
    void classifiesAnImageWithTheCallersOwnModel() throws Exception {
        UUID user = UUID.randomUUID();
        String tok = token(user);
        byte[] image = TrainedNetworksTest.png(5, 20);
        // no image model yet
        given().auth().oauth2(tok).multiPart("image", "cat.png", image, "image/png").post("/api/v1/vision/classify")
                .then().statusCode(404).body("detail", containsString("image model"));

        try (TrainedNetworksTest.Net net = new TrainedNetworksTest.Net("small-cnn-3x8x8-3",
                TrainedNetworksTest.work().resolve("vision"))) {
            String id = upload(user, "model-0000.params", net.params(), Map.of("architecture", net.arch.id(),
                    "name", "pets", "labels", "[\"cat\",\"dog\",\"owl\"]"));
            awaitStatus(user, id, "ready");
            float[] logits = net.forward(new float[][]{Pixels.decode(image, 8, 8)}).get(0);
            double[] p = softmax(logits);
            int best = TrainedNetworksTest.argmax(logits);

            // unnamed: the caller's newest image model; named by id and by name
            for (String model : new String[]{null, id, "pets"}) {
                var req = given().auth().oauth2(tok).multiPart("image", "cat.png", image, "image/png").multiPart("top_k", "2");
                if (model != null) {
                    req.multiPart("model", model);
                }
                JsonPath r = req.post("/api/v1/vision/classify").then().statusCode(200).extract().jsonPath();
                assertEquals(id, r.getString("model_id"));
                assertEquals(2, r.getList("predictions").size());
                assertEquals(List.of("cat", "dog", "owl").get(best), r.getString("predictions[0].class"));
                assertEquals(best, r.getInt("predictions[0].class_id"));
                assertEquals(p[best], r.getDouble("predictions[0].confidence"), 1e-3);
                assertTrue(r.getDouble("predictions[0].confidence") >= r.getDouble("predictions[1].confidence"));
            }

            // analyze: header facts, colours, the classification, and what is not installed
            given().auth().oauth2(tok).multiPart("image", "cat.png", image, "image/png")
                    .multiPart("analysis_type", "[\"object_detection\", \"colors\", \"classification\"]")
                    .post("/api/v1/vision/analyze").then().statusCode(200)
                    .body("image_info.width", is(20)).body("image_info.height", is(20))
                    .body("image_info.format", is("PNG")).body("image_info.size_bytes", is(image.length))
                    .body("analysis_results.colors.dominant", hasSize(lessThanOrEqualTo(5)))
                    .body("analysis_results.colors.brightness", notNullValue())
                    .body("analysis_results.classification.model_id", is(id))
                    .body("unavailable.type", hasItem("object_detection"))
                    .body("processing_time", notNullValue());

            // errors: not an image, unknown analysis, bad top_k, another user's model, a model that takes no images
            given().auth().oauth2(tok).multiPart("image", "x.png", "not an image".getBytes(), "image/png")
                    .post("/api/v1/vision/classify").then().statusCode(400).body("errors[0].field", is("image"));
            given().auth().oauth2(tok).multiPart("image", "x.png", "not an image".getBytes(), "image/png")
                    .post("/api/v1/vision/analyze").then().statusCode(400).body("errors[0].field", is("image"));
            given().auth().oauth2(tok).multiPart("image", "cat.png", image, "image/png").multiPart("analysis_type", "telepathy")
                    .post("/api/v1/vision/analyze").then().statusCode(400).body("errors[0].field", is("analysis_type"));
            given().auth().oauth2(tok).multiPart("image", "cat.png", image, "image/png").multiPart("top_k", "0")
                    .post("/api/v1/vision/classify").then().statusCode(400).body("errors[0].field", is("top_k"));
            given().auth().oauth2(tok).multiPart("model", id).post("/api/v1/vision/classify").then().statusCode(400)
                    .body("errors[0].field", is("image"));
            given().auth().oauth2(token(UUID.randomUUID())).multiPart("image", "cat.png", image, "image/png")
                    .multiPart("model", id).post("/api/v1/vision/classify").then().statusCode(404);
            String tabular = upload(user, "linear.onnx", TestModels.onnxLinear(TestModels.W, TestModels.B, 0),
                    Map.of("name", "tabular"));
            awaitStatus(user, tabular, "ready");
            given().auth().oauth2(tok).multiPart("image", "cat.png", image, "image/png").multiPart("model", tabular)
                    .post("/api/v1/vision/classify").then().statusCode(422).body("detail", containsString("[4]"));
        }
        // analyze without any model answers what it can
        given().auth().oauth2(token(UUID.randomUUID())).multiPart("image", "cat.png", image, "image/png")
                .post("/api/v1/vision/analyze").then().statusCode(200)
                .body("analysis_results.colors.dominant.share", everyItem(notNullValue()))
                .body("unavailable.type", hasItem("classification"));
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (float v : logits) {
            z += Math.exp(v - max);
        }
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max) / z;
        }
        return p;
    }
}
