package dev.ensemble.systemtests;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Jobs through the gateway only, with the AI Job Queue seed's own paths ({@code /jobs/...}) and
 * Ai-semble's ({@code /api/v2/jobs}): upload a CSV, train a random forest and an MLP, run an
 * inference job on the forest, read status and logs, cancel, and check the seed's shapes.
 */
class JobsIT extends SystemTest {

    static String csv(int rows) {
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder("feature1,feature2,feature3,feature4,label\n");
        for (int i = 0; i < rows; i++) {
            int c = i % 3;
            sb.append(String.format(Locale.ROOT, "%.3f,%.3f,%.3f,%.3f,c%d%n", c * 3 + r.nextGaussian() * 0.5,
                    -c * 2 + r.nextGaussian() * 0.5, r.nextGaussian(), c + r.nextGaussian() * 0.3, c));
        }
        return sb.toString();
    }

    static JsonPath awaitCompleted(String token, String jobId) {
        JsonPath[] last = new JsonPath[1];
        await("job " + jobId).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            last[0] = gateway().header("Authorization", "Bearer " + token).get("/jobs/" + jobId + "/status")
                    .then().statusCode(200).extract().jsonPath();
            assertEquals("completed", last[0].getString("status"), last[0].prettify());
        });
        return last[0];
    }

    @Test
    void trainPredictAndCancelThroughTheSeedPaths() {
        String email = uniqueEmail("jobs");
        register(email, "Jobs");
        String token = login(email);
        String auth = "Bearer " + token;

        String dataPath = gateway().header("Authorization", auth)
                .multiPart("file", "tabular_data.csv", csv(150).getBytes(StandardCharsets.UTF_8), "text/csv")
                .post("/api/v1/datasets").then().statusCode(201).extract().path("data_path");
        assertEquals("/data/tabular_data.csv", dataPath);

        String forest = gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("model_type", "random_forest", "data_path", dataPath,
                        "hyperparameters", Map.of("n_estimators", 20, "max_depth", 10, "min_samples_split", 5,
                                "random_state", 42),
                        "description", "Train Random Forest for classification", "requires_gpu", false,
                        "framework_override", "sklearn"))
                .post("/jobs/training").then().statusCode(201).body("status", equalTo("queued"))
                .body("job_id", startsWith("job_")).body("estimated_duration", notNullValue())
                .extract().path("job_id");
        String mlp = gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("model_type", "mlp", "data_path", dataPath, "hyperparameters", Map.of("epochs", 2)))
                .post("/jobs/training").then().statusCode(201).extract().path("job_id");

        JsonPath done = awaitCompleted(token, forest);
        assertEquals("sklearn", done.getString("result.framework"));
        assertNotNull(done.get("result.metrics.accuracy"));
        String modelId = done.getString("result.model_id");
        JsonPath mlpDone = awaitCompleted(token, mlp);
        assertEquals("onnx", mlpDone.getString("result.format"));

        String inference = gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("model_id", modelId, "input_data", "0.1,0.2,0.3,0.1", "parameters",
                        Map.of("probability", true)))
                .post("/jobs/inference").then().statusCode(201).extract().path("job_id");
        JsonPath predicted = awaitCompleted(token, inference);
        assertNotNull(predicted.getString("result.predictions[0].label"));

        // Ai-semble: a scheduled batch job, its progress object, and cancel
        String batch = gateway().header("Authorization", auth).contentType(ContentType.JSON)
                .body(Map.of("name", "Batch Tabular Scoring", "type", "batch_processing", "service", "tabular",
                        "parameters", Map.of("model_id", modelId, "inputs", java.util.List.of("0,0,0,0", "6,-4,0,2")),
                        "priority", "normal", "scheduled_at", java.time.Instant.now().plusSeconds(3600).toString()))
                .post("/api/v2/jobs").then().statusCode(201).body("name", equalTo("Batch Tabular Scoring"))
                .body("estimated_completion", notNullValue()).extract().path("job_id");
        gateway().header("Authorization", auth).get("/api/v2/jobs/" + batch).then().statusCode(200)
                .body("progress.total", notNullValue()).body("logs[0].message", notNullValue());
        gateway().header("Authorization", auth).delete("/jobs/" + batch).then().statusCode(200)
                .body("status", equalTo("cancelled"));
        gateway().header("Authorization", auth).delete("/jobs/" + batch).then().statusCode(400);
        gateway().header("Authorization", auth).get("/jobs?status=completed&limit=10").then().statusCode(200)
                .body("total", equalTo(3));
        gateway().header("Authorization", auth).get("/jobs/job_" + UUID.randomUUID() + "/status").then().statusCode(404);
        gateway().get("/jobs").then().statusCode(401);
    }
}
