package dev.ensemble.job;

import dev.ensemble.events.Topics;
import dev.ensemble.job.ml.TestData;
import dev.ensemble.job.worker.JobWorker;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

/** Seed 003's examples and the queue's guarantees, end to end with real PostgreSQL, Kafka, DJL and Tribuo. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "job"))
class JobsFlowTest {

    @Inject
    JobWorker worker;

    static String upload(String token, String fileName, byte[] bytes, String name) {
        var req = given().auth().oauth2(token).multiPart("file", fileName, bytes,
                fileName.endsWith(".zip") ? "application/zip" : "text/csv");
        if (name != null) {
            req = req.multiPart("name", name);
        }
        return req.post("/api/v1/datasets").then().statusCode(201).body("data_path", startsWith("/data/"))
                .extract().path("data_path");
    }

    static String submit(String token, String path, Map<String, Object> body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post(path)
                .then().statusCode(201).body("status", is("queued")).body("job_id", startsWith("job_"))
                .body("created_at", notNullValue()).body("estimated_duration", matchesPattern("\\d\\d:\\d\\d:\\d\\d"))
                .extract().path("job_id");
    }

    static JsonPath awaitStatus(String token, String jobId, String status, Duration timeout) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            last[0] = given().auth().oauth2(token).get("/api/v1/jobs/" + jobId + "/status").then().statusCode(200)
                    .extract().jsonPath();
            String s = last[0].getString("status");
            if (!status.equals(s) && ("failed".equals(s) || "completed".equals(s) || "cancelled".equals(s))) {
                fail("job " + jobId + " ended " + s + ": " + last[0].getString("error") + " logs "
                        + last[0].getList("logs"));
            }
            assertEquals(status, s);
        });
        return last[0];
    }

    @Test
    void runsEverySeedTrainingAndInferenceExample() throws Exception {
        String token = TestKeys.user(UUID.randomUUID());
        String sentiment = upload(token, "sentiment_analysis.csv",
                TestData.sentimentCsv(80, 1).getBytes(StandardCharsets.UTF_8), null);
        assertEquals("/data/sentiment_analysis.csv", sentiment);
        String images = upload(token, "image_classification.zip", TestData.imagesZip(6), null);
        assertEquals("/data/image_classification", images);
        upload(token, "cifar10.zip", TestData.imagesZip(5), null);
        upload(token, "tabular_data.csv", TestData.blobsCsv(120, 2).getBytes(StandardCharsets.UTF_8), null);
        upload(token, "corpus.txt", TestData.corpus().getBytes(StandardCharsets.UTF_8), "text_generation.txt");

        String bert = submit(token, "/api/v1/jobs/training", Map.of("model_type", "bert",
                "data_path", "/data/sentiment_analysis.csv",
                "hyperparameters", Map.of("epochs", 2, "learning_rate", 0.005, "batch_size", 16, "max_length", 512),
                "description", "Fine-tune BERT for sentiment analysis", "requires_gpu", false,
                "framework_override", "pytorch-2.1"));
        String resnet = submit(token, "/api/v1/jobs/training", Map.of("model_type", "resnet",
                "data_path", "/data/image_classification",
                "hyperparameters", Map.of("epochs", 2, "learning_rate", 0.01, "batch_size", 8, "num_classes", 1000),
                "description", "Train ResNet-50 for image classification", "requires_gpu", true,
                "framework_override", "pytorch-2.0-gpu"));
        String inception = submit(token, "/api/v1/jobs/training", Map.of("model_type", "inception",
                "data_path", "/data/cifar10",
                "hyperparameters", Map.of("epochs", 2, "learning_rate", 0.01, "batch_size", 8, "dropout_rate", 0.2),
                "description", "Train Inception v3 on CIFAR-10", "requires_gpu", false,
                "framework_override", "tensorflow"));
        String forest = submit(token, "/api/v1/jobs/training", Map.of("model_type", "random_forest",
                "data_path", "/data/tabular_data.csv",
                "hyperparameters", Map.of("n_estimators", 20, "max_depth", 10, "min_samples_split", 5, "random_state", 42),
                "description", "Train Random Forest for classification", "requires_gpu", false,
                "framework_override", "sklearn"));
        String transformer = submit(token, "/api/v1/jobs/training", Map.of("model_type", "transformer",
                "data_path", "/data/text_generation.txt",
                "hyperparameters", Map.of("epochs", 1, "learning_rate", 0.003, "batch_size", 32, "max_length", 1024,
                        "num_layers", 12, "hidden_size", 768),
                "description", "Train GPT-style transformer for text generation", "requires_gpu", true,
                "framework_override", "pytorch-2.1-gpu"));

        Map<String, String> queues = Map.of(bert, "pytorch-2.1-cpu", resnet, "pytorch-1.13-gpu",
                inception, "tensorflow-2.13-cpu", forest, "sklearn-cpu", transformer, "pytorch-2.1-gpu");
        for (var e : queues.entrySet()) {
            JsonPath done = awaitStatus(token, e.getKey(), "completed", Duration.ofMinutes(3));
            assertEquals(e.getValue(), done.getString("queue"));
            assertEquals(1.0, done.getDouble("progress"), 1e-9);
            assertEquals(100.0, done.getDouble("progress_detail.percentage"), 1e-9);
            assertNotNull(done.getString("result.model_id"));
            assertNotNull(done.getString("result.model_path"));
            assertNotNull(done.getString("result.framework"));
            assertNotNull(done.get("result.metrics.accuracy"));
            assertNotNull(done.get("result.metrics.training_time"));
            assertFalse(done.getList("logs").isEmpty());
        }
        JsonPath tf = awaitStatus(token, inception, "completed", Duration.ofSeconds(5));
        assertEquals("tensorflow", tf.getString("result.framework"));
        assertTrue(tf.getString("result.engine").contains("DJL"));

        // the three inference examples, on models the training jobs produced
        String bertModel = awaitStatus(token, bert, "completed", Duration.ofSeconds(5)).getString("result.model_id");
        String resnetModel = awaitStatus(token, resnet, "completed", Duration.ofSeconds(5)).getString("result.model_id");
        String forestModel = awaitStatus(token, forest, "completed", Duration.ofSeconds(5)).getString("result.model_id");
        String text = submit(token, "/api/v1/jobs/inference", Map.of("model_id", bertModel,
                "input_data", "This is a great product!", "parameters", Map.of("temperature", 0.7, "max_length", 100)));
        String image = submit(token, "/api/v1/jobs/inference", Map.of("model_id", resnetModel,
                "input_data", "/data/image_classification/red/img1.png",
                "parameters", Map.of("top_k", 5, "confidence_threshold", 0.8)));
        String tabular = submit(token, "/api/v1/jobs/inference", Map.of("model_id", forestModel,
                "input_data", "feature1,feature2,feature3,feature4\n0.1,0.2,0.3,0.1", "parameters", Map.of("probability", true)));
        JsonPath t = awaitStatus(token, text, "completed", Duration.ofMinutes(1));
        assertThat(t.getString("result.predictions[0].label"), is(oneOf("positive", "negative")));
        JsonPath i = awaitStatus(token, image, "completed", Duration.ofMinutes(1));
        assertThat(i.getString("result.predictions[0].label"), is(oneOf("red", "blue", "green")));
        JsonPath f = awaitStatus(token, tabular, "completed", Duration.ofMinutes(1));
        assertNotNull(f.get("result.predictions[0].probabilities"));

        // the list shows them all, newest first, with the seed's fields
        given().auth().oauth2(token).get("/api/v1/jobs?status=completed&limit=3&offset=0").then().statusCode(200)
                .body("jobs", hasSize(3)).body("total", is(8)).body("limit", is(3)).body("offset", is(0))
                .body("pagination.has_more", is(true)).body("jobs[0].job_type", is("inference"))
                .body("jobs[0].model_id", notNullValue());

        // model hand-off and billing
        assertFalse(KafkaTestClient.await(Topics.MODEL_EVENTS, r -> r.value().contains(forestModel)
                && r.value().contains("\"format\":\"classical\""), Duration.ofSeconds(20)).isEmpty());
        assertFalse(KafkaTestClient.await(Topics.USAGE_EVENTS, r -> r.value().contains(UUID.fromString(
                forest.substring(4)).toString()) && r.value().contains("\"kind\":\"training\""), Duration.ofSeconds(20)).isEmpty());
        assertFalse(KafkaTestClient.await(Topics.JOB_EVENTS, r -> r.value().contains("job.progress")
                && r.key().equals(bert.substring(4)), Duration.ofSeconds(20)).isEmpty());

        // export holds the jobs, datasets and models
        given().auth().oauth2(token).get("/internal/v1/export").then().statusCode(200)
                .body("service", is("job-service")).body("data.jobs", hasSize(8)).body("data.datasets", hasSize(5))
                .body("data.models", hasSize(5));
    }

    @Test
    void cancelsPendingAndRunningJobs() throws Exception {
        String token = TestKeys.user(UUID.randomUUID());
        upload(token, "big.csv", TestData.blobsCsv(3000, 3).getBytes(StandardCharsets.UTF_8), null);
        // pending: scheduled an hour ahead
        String later = submit(token, "/api/v1/jobs/training", Map.of("model_type", "mlp", "data_path", "big.csv",
                "scheduled_at", java.time.Instant.now().plusSeconds(3600).toString()));
        given().auth().oauth2(token).delete("/api/v1/jobs/" + later).then().statusCode(200)
                .body("status", is("cancelled")).body("error", is("Job cancelled by user"))
                .body("message", notNullValue()).body("cancelled_at", notNullValue());
        given().auth().oauth2(token).delete("/api/v1/jobs/" + later).then().statusCode(400)
                .body("code", is("JOB_NOT_CANCELLABLE"));
        // running: many epochs with tiny batches
        String running = submit(token, "/api/v1/jobs/training", Map.of("model_type", "mlp", "data_path", "/data/big.csv",
                "hyperparameters", Map.of("epochs", 200, "batch_size", 4), "priority", "urgent"));
        awaitStatus(token, running, "running", Duration.ofMinutes(2));
        UUID id = UUID.fromString(running.substring(4));
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.isRunning(id));
        given().auth().oauth2(token).delete("/api/v1/jobs/" + running).then().statusCode(200).body("status", is("cancelled"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !worker.isRunning(id));
        JsonPath after = given().auth().oauth2(token).get("/api/v1/jobs/" + running).then().statusCode(200).extract().jsonPath();
        assertEquals("cancelled", after.getString("status"));
        assertNull(after.get("result"));
        assertFalse(KafkaTestClient.await(Topics.JOB_CONTROL, r -> r.key().equals(id.toString()), Duration.ofSeconds(20)).isEmpty());
    }

    @Test
    void sameIdempotencyKeySameJob() {
        String token = TestKeys.user(UUID.randomUUID());
        upload(token, "t.csv", TestData.blobsCsv(30, 4).getBytes(StandardCharsets.UTF_8), null);
        Map<String, Object> body = Map.of("model_type", "logistic_regression", "data_path", "/data/t.csv");
        String first = given().auth().oauth2(token).header("Idempotency-Key", "k-1").contentType("application/json")
                .body(body).post("/api/v1/jobs/training").then().statusCode(201).extract().path("job_id");
        String second = given().auth().oauth2(token).header("Idempotency-Key", "k-1").contentType("application/json")
                .body(body).post("/api/v1/jobs/training").then().statusCode(200).header("Idempotent-Replayed", "true")
                .extract().path("job_id");
        assertEquals(first, second);
        given().auth().oauth2(token).get("/api/v1/jobs").then().body("total", is(1));
        awaitStatus(token, first, "completed", Duration.ofMinutes(2));
    }

    @Test
    void rejectsBadInput() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestKeys.user(user);
        upload(token, "ok.csv", TestData.blobsCsv(20, 5).getBytes(StandardCharsets.UTF_8), null);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "llama", "data_path", "ok.csv"))
                .post("/api/v1/jobs/training").then().statusCode(400).body("code", is("VALIDATION_ERROR"))
                .body("errors[0].field", is("model_type")).body("detail", containsString("random_forest"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("data_path", "ok.csv"))
                .post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("model_type"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "svm"))
                .post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("data_path"));
        for (String hostile : List.of("../../etc/passwd", "/etc/passwd", "/data/../" + UUID.randomUUID() + "/ok.csv",
                "/data/%2e%2e/x", "ok.csv\u0000.txt", "/data/missing.csv")) {
            given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "svm", "data_path", hostile))
                    .post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("data_path"));
        }
        // a symbolic link leading out of the user's folder
        Path link = Path.of("target/test-data").toAbsolutePath().resolve(user.toString()).resolve("escape.csv");
        Files.createSymbolicLink(link, Path.of("/etc/hostname"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "svm", "data_path", "escape.csv"))
                .post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("data_path"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "svm", "data_path", "ok.csv",
                "framework_override", "jax")).post("/api/v1/jobs/training").then().statusCode(400)
                .body("errors[0].field", is("framework_override"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "svm", "data_path", "ok.csv",
                "priority", "whenever")).post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("priority"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "mlp", "data_path", "ok.csv",
                "hyperparameters", Map.of("epochs", 1_000_000_000))).post("/api/v1/jobs/training").then().statusCode(400)
                .body("errors[0].field", is("hyperparameters.epochs"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "mlp", "data_path", "ok.csv",
                "hyperparameters", Map.of("learning_rate", "fast"))).post("/api/v1/jobs/training").then().statusCode(400)
                .body("errors[0].field", is("hyperparameters.learning_rate"));
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"model_type\":\"mlp\",\"data_path\":\"ok.csv\",\"hyperparameters\":\"lots\"}")
                .post("/api/v1/jobs/training").then().statusCode(400);
        given().auth().oauth2(token).contentType("application/json")
                .body("{\"model_type\":[1,2],\"data_path\":\"ok.csv\"}").post("/api/v1/jobs/training").then().statusCode(400);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "mlp", "data_path", "ok.csv",
                "description", "x".repeat(5000))).post("/api/v1/jobs/training").then().statusCode(400)
                .body("errors[0].field", is("description"));
        given().auth().oauth2(token).contentType("application/json").body("{\"model_type\": ")
                .post("/api/v1/jobs/training").then().statusCode(400);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_id", "nope", "input_data", "1,2"))
                .post("/api/v1/jobs/inference").then().statusCode(404);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("input_data", "1,2"))
                .post("/api/v1/jobs/inference").then().statusCode(400).body("errors[0].field", is("model_id"));
        given().auth().oauth2(token).contentType("application/json").body(Map.of("type", "batch_processing"))
                .post("/api/v1/jobs").then().statusCode(400).body("errors[0].field", is("name"));
        given().auth().oauth2(token).multiPart("file", "evil.zip", zipWith("../evil.txt"), "application/zip")
                .post("/api/v1/datasets").then().statusCode(400).body("errors[0].field", is("file"));
        given().auth().oauth2(token).multiPart("file", "x.exe", new byte[]{1, 2}, "application/octet-stream")
                .post("/api/v1/datasets").then().statusCode(400);
        given().auth().oauth2(token).get("/api/v1/jobs/job_not-a-uuid").then().statusCode(404);
        given().auth().oauth2(token).get("/api/v1/jobs?limit=abc").then().statusCode(400).body("errors[0].field", is("limit"));
    }

    @Test
    void anonymousIs401AndOthersJobsAre404() {
        given().contentType("application/json").body(Map.of("model_type", "svm", "data_path", "x"))
                .post("/api/v1/jobs/training").then().statusCode(401);
        given().get("/api/v1/datasets").then().statusCode(401);
        given().get("/internal/v1/export").then().statusCode(401);
        String alice = TestKeys.user(UUID.randomUUID());
        String bob = TestKeys.user(UUID.randomUUID());
        String job = given().auth().oauth2(alice).contentType("application/json")
                .body(Map.of("name", "Batch Image Analysis", "type", "batch_processing", "service", "vision",
                        "parameters", Map.of("input_source", "s3://bucket/images/"), "priority", "normal",
                        "scheduled_at", java.time.Instant.now().plusSeconds(7200).toString()))
                .post("/api/v1/jobs").then().statusCode(201).body("name", is("Batch Image Analysis"))
                .body("priority", is("normal")).body("estimated_completion", notNullValue()).extract().path("job_id");
        given().auth().oauth2(bob).get("/api/v1/jobs/" + job).then().statusCode(404).body("code", is("NOT_FOUND"));
        given().auth().oauth2(bob).delete("/api/v1/jobs/" + job).then().statusCode(404);
        given().auth().oauth2(bob).get("/api/v1/jobs/" + job + "/logs").then().statusCode(404);
        // Ai-semble's shapes under its dialect
        given().auth().oauth2(alice).header("X-Ensemble-Dialect", "aisemble").get("/api/v1/jobs/" + job).then()
                .statusCode(200).body("progress.completed", is(0)).body("progress.total", is(1))
                .body("progress.percentage", is(0.0f)).body("logs[0].level", is("INFO"))
                .body("results_available", is(false));
        given().auth().oauth2(alice).get("/api/v1/jobs/" + job).then().body("progress", is(0.0f));
        given().auth().oauth2(alice).delete("/api/v1/jobs/" + job).then().statusCode(200);
    }

    @Test
    void poisonMessagesLandInTheDeadLetterTopic() {
        String marker = UUID.randomUUID().toString();
        KafkaTestClient.send("jobs.sklearn-cpu", marker, "not json " + marker);
        assertFalse(KafkaTestClient.await("jobs.sklearn-cpu.dlq", r -> r.key() != null && r.key().equals(marker),
                Duration.ofSeconds(30)).isEmpty());
        String unknown = UUID.randomUUID().toString();
        KafkaTestClient.send("jobs.default", unknown, "{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"job.dispatched\","
                + "\"subject\":\"" + unknown + "\",\"data\":{\"job_id\":\"" + unknown + "\"}}");
        assertFalse(KafkaTestClient.await("jobs.default.dlq", r -> unknown.equals(r.key()), Duration.ofSeconds(30)).isEmpty());
    }

    @Test
    void aWorkerDyingMidJobStillCompletesItOnce() {
        String token = TestKeys.user(UUID.randomUUID());
        upload(token, "recover.csv", TestData.blobsCsv(1500, 6).getBytes(StandardCharsets.UTF_8), null);
        String job = submit(token, "/api/v1/jobs/training", Map.of("model_type", "mlp", "data_path", "/data/recover.csv",
                "hyperparameters", Map.of("epochs", 6, "batch_size", 8), "priority", 10));
        UUID id = UUID.fromString(job.substring(4));
        // wait for a checkpoint (at least one epoch done), then the worker "dies"
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Response r = given().auth().oauth2(token).get("/api/v1/jobs/" + job);
            return r.jsonPath().getInt("progress_detail.completed") >= 1 && worker.isRunning(id);
        });
        assertTrue(worker.crash(id));
        JsonPath done = awaitStatus(token, job, "completed", Duration.ofMinutes(3));
        assertEquals(2, done.getInt("attempts"));
        assertTrue(done.getInt("result.metrics.resumed_from_epoch") >= 1, done.getString("result.metrics"));
        assertTrue(done.getList("logs.message").stream().anyMatch(m -> m.toString().contains("stopped renewing its lease")));
        var completed = KafkaTestClient.await(Topics.JOB_EVENTS, r -> r.key().equals(id.toString())
                && r.value().contains("\"type\":\"job.completed\""), Duration.ofSeconds(10));
        assertEquals(1, completed.size());
    }

    @Test
    void listsReplacesAndDeletesDatasets() throws Exception {
        String token = TestKeys.user(UUID.randomUUID());
        String other = TestKeys.user(UUID.randomUUID());
        byte[] csv = TestData.blobsCsv(10, 8).getBytes(StandardCharsets.UTF_8);
        upload(token, "a.csv", csv, null);
        assertEquals("/data/folder", upload(token, "pics.zip", TestData.imagesZip(1), "folder"));
        given().auth().oauth2(token).multiPart("file", "a.csv", csv, "text/csv").post("/api/v1/datasets")
                .then().statusCode(409).body("code", is("CONFLICT"));
        given().auth().oauth2(token).multiPart("file", "b.csv", csv, "text/csv").multiPart("name", "../x.csv")
                .post("/api/v1/datasets").then().statusCode(400).body("errors[0].field", is("name"));
        String id = given().auth().oauth2(token).get("/api/v1/datasets").then().statusCode(200)
                .body("total", is(2)).body("datasets.data_path", hasItems("/data/a.csv", "/data/folder"))
                .body("datasets.find { it.name == 'folder' }.files", is(3))
                .extract().path("datasets.find { it.name == 'a.csv' }.dataset_id");
        given().auth().oauth2(other).get("/api/v1/datasets").then().statusCode(200).body("total", is(0));
        given().auth().oauth2(other).delete("/api/v1/datasets/" + id).then().statusCode(404);
        given().auth().oauth2(token).delete("/api/v1/datasets/" + id).then().statusCode(204);
        given().auth().oauth2(token).delete("/api/v1/datasets/" + id).then().statusCode(404);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "svm", "data_path", "/data/a.csv"))
                .post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("data_path"));
        // images train on folders, tabular models on files
        given().auth().oauth2(token).contentType("application/json").body(Map.of("model_type", "svm", "data_path", "/data/folder"))
                .post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("data_path"));
    }

    @Test
    void honoursScheduleThenPriority() {
        String token = TestKeys.user(UUID.randomUUID());
        upload(token, "p.csv", TestData.blobsCsv(30, 7).getBytes(StandardCharsets.UTF_8), null);
        java.time.Instant due = java.time.Instant.now().plusSeconds(4);
        String low = submit(token, "/api/v1/jobs/training", Map.of("model_type", "logistic_regression",
                "data_path", "/data/p.csv", "priority", "low", "scheduled_at", due.toString()));
        String high = submit(token, "/api/v1/jobs/training", Map.of("model_type", "logistic_regression",
                "data_path", "/data/p.csv", "priority", "high", "scheduled_at", due.toString()));
        given().auth().oauth2(token).get("/api/v1/jobs/" + low).then().body("status", is("pending"))
                .body("scheduled_at", notNullValue());
        JsonPath l = awaitStatus(token, low, "completed", Duration.ofMinutes(2));
        JsonPath h = awaitStatus(token, high, "completed", Duration.ofMinutes(2));
        java.time.Instant lowStart = java.time.Instant.parse(l.getString("started_at"));
        java.time.Instant highStart = java.time.Instant.parse(h.getString("started_at"));
        assertFalse(lowStart.isBefore(due), "started before scheduled_at");
        assertFalse(highStart.isBefore(due), "started before scheduled_at");
        assertTrue(highStart.isBefore(lowStart), "the high priority job starts first");
    }

    static byte[] zipWith(String entry) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(entry));
            zip.write("x".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
