package dev.ensemble.systemtests;


import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Billing and spending guardrails through the gateway only: the seed's guardrail shapes, a limit
 * that refuses with 402 SPENDING_LIMIT, reserve-then-settle charging the ledger, and the
 * transaction history.
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
