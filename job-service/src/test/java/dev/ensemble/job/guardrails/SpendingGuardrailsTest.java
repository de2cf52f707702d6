package dev.ensemble.job.guardrails;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.events.Topics;
import dev.ensemble.job.ml.TestData;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Spending guardrails on training jobs, against a stub billing ({@link StubBilling}, from billing's
 * documented API; its limit refuses any hold over 0.05): a refusal is billing's 402 and no job; an
 * accepted job stores its hold, and its {@code usage.recorded} event names the reservation so billing
 * settles it (with the training time on completion, at zero on cancel); billing unreachable is a 503
 * and no job. One Quarkus boot for the profile.
 */
@QuarkusTest
@TestProfile(SpendingGuardrailsTest.Guardrails.class)
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "job"))
class SpendingGuardrailsTest {

    /** Guardrails on (they are off in the module's other tests), billing = the stub. */
    public static class Guardrails implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ensemble.jobs.guardrails.enabled", "true", "ensemble.billing.timeout-ms", "2000");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StubBilling.class));
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final String RESERVE = "/api/v1/guardrails/spending/reserve";
    static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    @ConfigProperty(name = "ensemble.billing.url")
    String billingUrl;

    static void upload(String token, String name) {
        given().auth().oauth2(token).multiPart("file", name, TestData.blobsCsv(40, 3).getBytes(StandardCharsets.UTF_8),
                "text/csv").post("/api/v1/datasets").then().statusCode(201);
    }

    /** The reserve calls the stub saw with {@code token}. */
    List<JsonNode> reserves(String token) throws Exception {
        var response = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(billingUrl + "/stub/requests"))
                .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        String answer = response.body();
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : JSON.readTree(answer)) {
            if (RESERVE.equals(r.path("path").asText()) && ("Bearer " + token).equals(r.path("authorization").asText())) {
                out.add(r.path("body"));
            }
        }
        return out;
    }

    /** The data of the one usage.recorded event naming {@code reservation}. */
    static JsonNode usageEvent(String reservation) throws Exception {
        var records = KafkaTestClient.await(Topics.USAGE_EVENTS,
                r -> r.value().contains("\"reservation_id\":\"" + reservation + "\""), Duration.ofSeconds(30));
        assertEquals(1, records.size(), "one usage.recorded naming reservation " + reservation);
        JsonNode envelope = JSON.readTree(records.get(0).value());
        assertEquals("usage.recorded", envelope.path("type").asText());
        return envelope.path("data");
    }

    static JsonPath awaitStatus(String token, String jobId, String status) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            last[0] = given().auth().oauth2(token).get("/api/v1/jobs/" + jobId).then().statusCode(200)
                    .extract().jsonPath();
            String s = last[0].getString("status");
            if (!status.equals(s) && ("failed".equals(s) || "cancelled".equals(s) || "completed".equals(s))) {
                fail("job " + jobId + " ended " + s + ": " + last[0].getString("error"));
            }
            assertEquals(status, s);
        });
        return last[0];
    }

    @Test
    void aRefusedHoldIs402AndNoJob() throws Exception {
        String token = TestKeys.user(UUID.randomUUID());
        upload(token, "big.csv");
        // 500 epochs of an MLP: estimated 1010 s = 0.140278 at 0.50/h, over the stub's 0.05
        given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "refused-1")
                .body(Map.of("model_type", "mlp", "data_path", "/data/big.csv",
                        "hyperparameters", Map.of("epochs", 500)))
                .post("/api/v1/jobs/training").then().statusCode(402)
                .contentType(containsString("application/problem+json"))
                .body("code", is("SPENDING_LIMIT")).body("detail", containsString("daily"));
        given().auth().oauth2(token).get("/api/v1/jobs").then().statusCode(200).body("total", is(0));

        List<JsonNode> reserves = reserves(token);
        assertEquals(1, reserves.size());
        JsonNode r = reserves.get(0);
        assertEquals("0.140278", r.path("amount").asText());
        assertEquals("training", r.path("purpose").asText());
        assertEquals(1010 * 3 + 900, r.path("ttl_seconds").asLong());
        assertTrue(r.path("reference_id").asText().endsWith(":refused-1"), r.toString());

        // bad input is refused before anything is held
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("model_type", "mlp", "data_path", "/data/missing.csv"))
                .post("/api/v1/jobs/training").then().statusCode(400).body("errors[0].field", is("data_path"));
        assertEquals(1, reserves(token).size());
    }

    @Test
    void anAcceptedJobHoldsItsEstimateAndItsUsageEventSettlesIt() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestKeys.user(user);
        upload(token, "ok.csv");
        Map<String, Object> body = Map.of("model_type", "logistic_regression", "data_path", "/data/ok.csv");
        String job = given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "k-1")
                .body(body).post("/api/v1/jobs/training").then().statusCode(201).body("status", is("queued"))
                .extract().path("job_id");
        // a retried submit answers the same job and holds nothing more
        given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "k-1")
                .body(body).post("/api/v1/jobs/training").then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("job_id", is(job));

        List<JsonNode> reserves = reserves(token);
        assertEquals(1, reserves.size(), reserves.toString());
        // a classical model: estimated 30 s = 0.004167, so the minimum hold
        assertEquals("0.01", reserves.get(0).path("amount").asText());
        assertEquals("job:" + user + ":k-1", reserves.get(0).path("reference_id").asText());
        assertEquals(30 * 3 + 900, reserves.get(0).path("ttl_seconds").asLong());

        JsonPath done = awaitStatus(token, job, "completed");
        String reservation = done.getString("reservation_id");
        assertNotNull(reservation);
        UUID.fromString(reservation);

        JsonNode usage = usageEvent(reservation);
        assertEquals("training", usage.path("kind").asText());
        assertEquals(user.toString(), usage.path("user_id").asText());
        assertEquals(job.substring(4), usage.path("reference_id").asText());
        assertTrue(usage.path("quantity").asDouble() > 0, usage.toString());
        assertTrue(usage.path("cost").isMissingNode(), "billing prices the training time: " + usage);
    }

    @Test
    void aCancelledJobSettlesItsHoldAtZero() throws Exception {
        UUID user = UUID.randomUUID();
        String token = TestKeys.user(user);
        upload(token, "later.csv");
        Instant at = Instant.now().plusSeconds(3600);
        String job = given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("model_type", "svm", "data_path", "later.csv", "scheduled_at", at.toString()))
                .post("/api/v1/jobs/training").then().statusCode(201).extract().path("job_id");
        List<JsonNode> reserves = reserves(token);
        assertEquals(1, reserves.size());
        // without an Idempotency-Key the hold names the job; it lasts until the start, then 3 x 30 s + 15 min
        assertEquals("job:" + job.substring(4), reserves.get(0).path("reference_id").asText());
        long ttl = reserves.get(0).path("ttl_seconds").asLong();
        assertTrue(ttl >= 3600 + 990 - 30 && ttl <= 3600 + 990, "ttl " + ttl);

        String reservation = given().auth().oauth2(token).get("/api/v1/jobs/" + job).then().statusCode(200)
                .body("status", is("pending")).extract().path("reservation_id");
        assertNotNull(reservation);
        given().auth().oauth2(token).delete("/api/v1/jobs/" + job).then().statusCode(200).body("status", is("cancelled"));

        JsonNode usage = usageEvent(reservation);
        assertEquals(0, usage.path("quantity").decimalValue().signum(), usage.toString());
        assertEquals(0, usage.path("cost").decimalValue().signum(), usage.toString());
        assertEquals("training", usage.path("kind").asText());
        assertEquals(job.substring(4), usage.path("reference_id").asText());
    }

    @Test
    void billingUnreachableIs503AndNoJob() throws Exception {
        String token = TestKeys.user(UUID.randomUUID());
        upload(token, "down.csv");
        given().auth().oauth2(token).contentType("application/json").header("Idempotency-Key", "billing-down")
                .body(Map.of("model_type", "svm", "data_path", "/data/down.csv"))
                .post("/api/v1/jobs/training").then().statusCode(503).body("code", is("SERVICE_UNAVAILABLE"));
        given().auth().oauth2(token).get("/api/v1/jobs").then().statusCode(200).body("total", is(0));
        assertFalse(reserves(token).isEmpty());
        // jobs that cost nothing up front (inference, batch) are not held
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("name", "Scoring", "type", "batch_processing",
                        "scheduled_at", Instant.now().plusSeconds(3600).toString()))
                .post("/api/v1/jobs").then().statusCode(201);
        assertEquals(2, reserves(token).size(), "the reserve is retried once, then nothing more");
    }
}
