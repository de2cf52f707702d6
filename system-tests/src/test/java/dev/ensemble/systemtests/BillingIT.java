package dev.ensemble.systemtests;


import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Billing and spending guardrails through the gateway only: the seed's guardrail shapes, a limit
 * that refuses with 402 SPENDING_LIMIT, reserve-then-settle charging the ledger, the transaction
 * history, and limits stopping chat completions and training jobs before they start.
 */
class BillingIT extends SystemTest {

    static RequestSpecification as(String token) {
        return gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    @Test
    void guardrailsRefuseOverTheLimitAndReservationsChargeTheLedger() {
        String email = uniqueEmail("billing");
        String userId = register(email, "Billing User");
        String token = login(email);

        as(token).get("/api/v1/guardrails/spending").then().statusCode(200)
                .body("window_name", equalTo("monthly"))
                .body("window_limit", notNullValue())
                .body("violations", hasSize(0));

        as(token).body(Map.of("limit", 5)).put("/api/v1/guardrails/spending/windows/hourly").then().statusCode(200);
        as(token).body(Map.of("estimated_cost", 2)).post("/api/v1/guardrails/spending/check").then().statusCode(200)
                .body("allowed", equalTo(true));
        as(token).body(Map.of("amount", 4)).post("/api/v1/guardrails/spending/record").then().statusCode(200)
                .body("message", equalTo("Spending recorded successfully"));
        as(token).body(Map.of("estimated_cost", 2)).post("/api/v1/guardrails/spending/check").then().statusCode(402)
                .body("code", equalTo("SPENDING_LIMIT"));

        as(token).body(Map.of("window_name", "hourly")).post("/api/v1/guardrails/spending/reset").then().statusCode(200)
                .body("message", equalTo("Spending reset successfully"));
        String reservation = as(token).body(Map.of("amount", "1.50", "currency", "USD", "purpose", "gpu_instance",
                        "reference_id", "it-" + UUID.randomUUID(), "ttl_seconds", 900))
                .post("/api/v1/guardrails/spending/reserve").then().statusCode(201)
                .body("status", equalTo("held")).extract().path("reservation_id");
        as(token).body(Map.of("amount", "1.20")).post("/api/v1/guardrails/spending/reservations/" + reservation + "/settle")
                .then().statusCode(200).body("status", equalTo("settled"));

        await("the settled reservation in the ledger of " + userId).atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> as(token).get("/api/v1/billing/transactions").then().statusCode(200)
                        .body("count", equalTo(1))
                        .body("transactions[0].amount", equalTo(-1.2f))
                        .body("transactions[0].status", equalTo("succeeded")));
        as(token).get("/api/v1/billing/account").then().statusCode(200).body("balance", equalTo(-1.2f));
    }

    /**
     * A spending limit stops costly work before it starts: with a tiny hourly limit, a chat completion
     * (inference-service holds its largest cost) is refused with 402 in OpenAI's error shape, and a
     * training job (job-service holds its estimated cost) with a 402 problem, and no job exists.
     */
    @Test
    void aTinyLimitRefusesChatCompletionsAndTrainingJobsWith402() {
        String email = uniqueEmail("billing-limit");
        register(email, "Frugal User");
        String token = login(email);
        // training is validated before its cost is held: the data set must exist
        StringBuilder csv = new StringBuilder("f1,f2,label\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i % 2 == 0 ? "0.1," : "5.2,").append(i % 3).append(',').append(i % 2).append('\n');
        }
        String dataPath = gateway().header("Authorization", "Bearer " + token)
                .multiPart("file", "frugal.csv", csv.toString().getBytes(StandardCharsets.UTF_8), "text/csv")
                .post("/api/v1/datasets").then().statusCode(201).extract().path("data_path");
        awaitModel(token);

        as(token).body(Map.of("limit", "0.000001")).put("/api/v1/guardrails/spending/windows/hourly")
                .then().statusCode(200);

        as(token).body(Map.of("model", CHAT_MODEL, "max_tokens", 20,
                        "messages", List.of(Map.of("role", "user", "content", "Tell me a story."))))
                .post("/v1/chat/completions").then().statusCode(402)
                .body("error.type", equalTo("insufficient_quota"))
                .body("error.code", equalTo("spending_limit"))
                .body("error.message", containsString("hourly"));

        as(token).body(Map.of("model_type", "logistic_regression", "data_path", dataPath))
                .post("/api/v1/jobs/training").then().statusCode(402)
                .body("status", equalTo(402))
                .body("code", equalTo("SPENDING_LIMIT"))
                .body("detail", containsString("hourly"));
        // the seed's path lands on the same check
        as(token).body(Map.of("model_type", "logistic_regression", "data_path", dataPath))
                .post("/jobs/training").then().statusCode(402);
        as(token).get("/api/v1/jobs").then().statusCode(200).body("total", equalTo(0));

        // nothing was held or charged
        as(token).get("/api/v1/billing/transactions").then().statusCode(200).body("count", equalTo(0));
        as(token).get("/api/v1/guardrails/spending").then().statusCode(200)
                .body("windows.find { it.name == 'hourly' }.spent", equalTo(0f))
                .body("windows.find { it.name == 'hourly' }.held", equalTo(0f));
    }

    static final String CHAT_MODEL = "ensemble-fables-lstm";

    /** The first start of the suite trains the bundled language model: wait until the catalogue lists it. */
    static void awaitModel(String token) {
        await("the bundled language model").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> gateway().header("Authorization", "Bearer " + token).get("/v1/models")
                        .then().statusCode(200).body("data.id", hasItem(CHAT_MODEL)));
    }

    @Test
    void paymentsValidateTheirInputAndCreditsNeedAnAdmin() {
        String email = uniqueEmail("billing-pay");
        register(email, "Payer");
        String token = login(email);
        as(token).header("X-Billing", "credits")
                .body(Map.of("amount", 10, "currency", "USD", "provider", "credits"))
                .post("/api/v1/billing/payment").then().statusCode(403);
        as(token).body(Map.of("amount", -10, "currency", "USD", "provider", "stripe"))
                .post("/api/v1/billing/payment").then().statusCode(400);
        gateway().contentType(ContentType.JSON).body(Map.of("amount", 1)).post("/api/v1/guardrails/spending/record")
                .then().statusCode(401);
    }
}
