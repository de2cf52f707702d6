package dev.ensemble.billing;

import dev.ensemble.billing.payments.StripeSignature;
import dev.ensemble.billing.support.StripeStub;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "billing"))
@QuarkusTestResource(StripeStub.class)
class PaymentsTest {

    static final String PAY = "/api/v1/billing/payment";
    static final String SEED_BODY = "{\"amount\": 100.00, \"currency\": \"USD\", \"provider\": \"stripe\","
            + " \"payment_preference\": {\"type\": \"card\", \"card_token\": \"tok_visa\"}}";

    static RequestSpecification as(UUID user) {
        return given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON);
    }

    static BigDecimal balance(UUID user) {
        return new BigDecimal(as(user).get("/api/v1/billing/account").then().statusCode(200)
                .extract().jsonPath().getString("balance"));
    }

    @Test
    void aStripePaymentFollowsTheSeedAndReachesStripeAsDocumented() {
        UUID user = UUID.randomUUID();
        String id = as(user).header("X-Preferred-Payment", "card").header("X-Billing", "stripe")
                .header("Idempotency-Key", "seed-" + user)
                .body(SEED_BODY).post(PAY).then().statusCode(201)
                .body("transaction.id", notNullValue())
                .body("transaction.amount", is(100.0f))
                .body("transaction.currency", is("USD"))
                .body("transaction.status", is("succeeded"))
                .body("transaction.created_at", notNullValue())
                .extract().path("transaction.id");
        List<StripeStub.Received> calls = StripeStub.forPayment(id);
        assertEquals(1, calls.size());
        StripeStub.Received call = calls.get(0);
        assertEquals("Bearer " + StripeStub.SECRET_KEY, call.authorization());
        assertEquals(id, call.idempotencyKey());
        assertEquals("application/x-www-form-urlencoded", call.contentType());
        assertEquals("10000", call.form().get("amount"));
        assertEquals("usd", call.form().get("currency"));
        assertEquals("true", call.form().get("confirm"));
        assertEquals("tok_visa", call.form().get("payment_method_data[card][token]"));
        assertEquals(user.toString(), call.form().get("metadata[user_id]"));
        assertEquals(0, new BigDecimal("100.00").compareTo(balance(user)));
        as(user).get("/api/v1/billing/transactions").then().statusCode(200)
                .body("count", is(1))
                .body("transactions[0].id", notNullValue())
                .body("transactions[0].amount", is(100.0f))
                .body("transactions[0].currency", is("USD"))
                .body("transactions[0].status", is("succeeded"))
                .body("transactions[0].type", is("payment"))
                .body("transactions[0].created_at", notNullValue());
    }

    @Test
    void theSameIdempotencyKeyChargesOnce() {
        UUID user = UUID.randomUUID();
        String key = "idem-" + UUID.randomUUID();
        String first = as(user).header("Idempotency-Key", key).body(SEED_BODY).post(PAY).then().statusCode(201)
                .extract().path("transaction.id");
        String second = as(user).header("Idempotency-Key", key).body(SEED_BODY).post(PAY).then().statusCode(201)
                .body("transaction.status", is("succeeded")).extract().path("transaction.id");
        assertEquals(first, second);
        assertEquals(1, StripeStub.forPayment(first).size());
        assertEquals(0, new BigDecimal("100").compareTo(balance(user)));
        // the same key with another body is a different request
        as(user).header("Idempotency-Key", key).body(SEED_BODY.replace("100.00", "5.00")).post(PAY).then()
                .statusCode(422).body("code", is("IDEMPOTENCY_KEY_REUSED"));
        // keys belong to their user
        UUID other = UUID.randomUUID();
        String theirs = as(other).header("Idempotency-Key", key).body(SEED_BODY).post(PAY).then().statusCode(201)
                .extract().path("transaction.id");
        org.junit.jupiter.api.Assertions.assertNotEquals(first, theirs);
        assertEquals(0, new BigDecimal("100").compareTo(balance(user)));
    }

    @Test
    void concurrentRetriesWithOneKeyChargeOnce() {
        UUID user = UUID.randomUUID();
        String key = "race-" + UUID.randomUUID();
        List<java.util.concurrent.CompletableFuture<io.restassured.response.Response>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    as(user).header("Idempotency-Key", key).body(SEED_BODY).post(PAY)));
        }
        long created = calls.stream().map(java.util.concurrent.CompletableFuture::join)
                .filter(r -> r.statusCode() == 201).count();
        org.junit.jupiter.api.Assertions.assertTrue(created >= 1);
        assertEquals(0, new BigDecimal("100").compareTo(balance(user)));
        as(user).get("/api/v1/billing/transactions").then().body("count", is(1));
    }

    @Test
    void aDeclinedCardIsA402AndCreditsNothing() {
        UUID user = UUID.randomUUID();
        String body = SEED_BODY.replace("tok_visa", "tok_chargeDeclined");
        as(user).header("Idempotency-Key", "declined-" + user).body(body).post(PAY).then().statusCode(402)
                .contentType("application/problem+json")
                .body("code", is("PAYMENT_FAILED")).body("detail", containsString("declined"));
        as(user).header("Idempotency-Key", "declined-" + user).body(body).post(PAY).then().statusCode(402)
                .body("code", is("PAYMENT_FAILED"));
        as(user).get("/api/v1/billing/transactions").then().body("count", is(0));
    }

    @Test
    void aPaymentThatNeedsActionCompletesThroughASignedWebhook() {
        UUID user = UUID.randomUUID();
        JsonPath tx = as(user).header("Idempotency-Key", "3ds-" + user)
                .body(SEED_BODY.replace("tok_visa", "tok_threeDSecure2Required")).post(PAY).then().statusCode(201)
                .body("transaction.status", is("pending"))
                .body("transaction.client_secret", notNullValue())
                .extract().jsonPath();
        String paymentId = tx.getString("transaction.id");
        String intent = tx.getString("transaction.provider_reference");
        assertEquals(0, BigDecimal.ZERO.compareTo(balance(user)));

        String event = "{\"id\":\"evt_" + UUID.randomUUID().toString().replace("-", "") + "\",\"object\":\"event\","
                + "\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":" + StripeStub.intent(intent, "10000", "usd",
                "succeeded", "{\"payment_id\":\"" + paymentId + "\",\"user_id\":\"" + user + "\"}") + "}}";
        webhook(event, signature(event, Instant.now().getEpochSecond())).then().statusCode(200)
                .body("received", is(true)).body("duplicate", is(false));
        assertEquals(0, new BigDecimal("100").compareTo(balance(user)));
        // Stripe redelivers: applied once
        webhook(event, signature(event, Instant.now().getEpochSecond())).then().statusCode(200)
                .body("duplicate", is(true));
        assertEquals(0, new BigDecimal("100").compareTo(balance(user)));
        // the idempotent retry now answers the final state
        as(user).header("Idempotency-Key", "3ds-" + user)
                .body(SEED_BODY.replace("tok_visa", "tok_threeDSecure2Required")).post(PAY).then().statusCode(201)
                .body("transaction.status", is("succeeded"));

        // a refund takes the money back out of the ledger
        String refund = "{\"id\":\"evt_r" + UUID.randomUUID().toString().replace("-", "") + "\",\"type\":\"charge.refunded\","
                + "\"data\":{\"object\":{\"id\":\"ch_1\",\"object\":\"charge\",\"amount\":10000,\"amount_refunded\":2500,"
                + "\"currency\":\"usd\",\"payment_intent\":\"" + intent + "\",\"metadata\":{}}}}";
        webhook(refund, signature(refund, Instant.now().getEpochSecond())).then().statusCode(200);
        assertEquals(0, new BigDecimal("75").compareTo(balance(user)));
        as(user).get("/api/v1/billing/transactions?type=refund").then().body("transactions[0].amount", is(-25.0f));
    }

    @Test
    void webhooksWithABadOrStaleSignatureAreRefused() {
        String event = "{\"id\":\"evt_x\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_x\"}}}";
        webhook(event, null).then().statusCode(400).body("code", is("INVALID_SIGNATURE"));
        webhook(event, "t=abc,v1=00").then().statusCode(400).body("code", is("INVALID_SIGNATURE"));
        webhook(event, "t=" + Instant.now().getEpochSecond() + ",v1=" + "0".repeat(64)).then().statusCode(400);
        webhook(event, signature(event, Instant.now().getEpochSecond() - 3_600)).then().statusCode(400)
                .body("detail", containsString("tolerance"));
        String tampered = signature(event, Instant.now().getEpochSecond());
        webhook(event.replace("pi_x", "pi_y"), tampered).then().statusCode(400);
        String notJson = "{nope";
        webhook(notJson, signature(notJson, Instant.now().getEpochSecond())).then().statusCode(400);
    }

    @Test
    void creditsAreForAdminsUnlessSelfServiceIsOn() {
        UUID user = UUID.randomUUID();
        String credits = "{\"amount\": 20, \"currency\": \"USD\", \"provider\": \"credits\"}";
        as(user).body(credits).post(PAY).then().statusCode(403).body("code", is("FORBIDDEN"));
        UUID admin = UUID.randomUUID();
        given().auth().oauth2(TestKeys.admin(admin)).contentType(ContentType.JSON).body(credits).post(PAY)
                .then().statusCode(201).body("transaction.status", is("succeeded"))
                .body("transaction.provider", is("credits"));
        given().auth().oauth2(TestKeys.admin(admin)).contentType(ContentType.JSON).header("Idempotency-Key", "grant-1")
                .body(Map.of("user_id", user.toString(), "amount", 12.5)).post("/api/v1/billing/credits")
                .then().statusCode(201).body("transaction.amount", is(12.5f));
        given().auth().oauth2(TestKeys.admin(admin)).contentType(ContentType.JSON).header("Idempotency-Key", "grant-1")
                .body(Map.of("user_id", user.toString(), "amount", 12.5)).post("/api/v1/billing/credits")
                .then().statusCode(201);
        assertEquals(0, new BigDecimal("12.5").compareTo(balance(user)));
        as(user).get("/api/v1/billing/transactions").then().body("transactions[0].type", is("credit"));
        as(user).body(Map.of("user_id", user.toString(), "amount", 1)).post("/api/v1/billing/credits")
                .then().statusCode(403);
    }

    @Test
    void badPaymentInputIsA400NamingTheField() {
        UUID user = UUID.randomUUID();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(SEED_BODY.replace("100.00", "-5"), "amount");
        cases.put(SEED_BODY.replace("100.00", "0"), "amount");
        cases.put(SEED_BODY.replace("100.00", "10.001"), "amount");
        cases.put(SEED_BODY.replace("100.00", "99999999999"), "amount");
        cases.put(SEED_BODY.replace("100.00", "\"ten\""), "amount");
        cases.put(SEED_BODY.replace("\"USD\"", "\"XXX\""), "currency");
        cases.put(SEED_BODY.replace("\"USD\"", "\"dollars\""), "currency");
        cases.put(SEED_BODY.replace("\"USD\"", "42"), "currency");
        cases.put(SEED_BODY.replace("\"stripe\"", "\"paypal\""), "provider");
        cases.put(SEED_BODY.replace("\"stripe\"", "\"../../etc\""), "provider");
        cases.put(SEED_BODY.replace("\"tok_visa\"", "\"tok visa; drop\""), "payment_preference.card_token");
        cases.put("{\"amount\": 10, \"currency\": \"USD\"}", "provider");
        cases.put("{\"amount\": 10, \"currency\": \"USD\", \"provider\": \"stripe\"}", "payment_preference.card_token");
        cases.forEach((body, field) -> as(user).body(body).post(PAY).then().statusCode(400)
                .contentType("application/problem+json").body("code", is("VALIDATION_ERROR"))
                .body("errors[0].field", is(field)));
        as(user).body(SEED_BODY.replace("100.00", "100")).header("X-Billing", "credits").post(PAY).then().statusCode(400)
                .body("errors[0].field", is("X-Billing"));
        as(user).body(SEED_BODY).header("X-Preferred-Payment", "card\u0001;evil").post(PAY).then().statusCode(400)
                .body("errors[0].field", is("X-Preferred-Payment"));
        as(user).body(SEED_BODY).header("X-Preferred-Payment", "wallet").post(PAY).then().statusCode(400)
                .body("errors[0].field", is("X-Preferred-Payment"));
        as(user).body(SEED_BODY).header("Idempotency-Key", "x".repeat(300)).post(PAY).then().statusCode(400)
                .body("errors[0].field", is("Idempotency-Key"));
        as(user).body("{\"amount\": ").post(PAY).then().statusCode(400).body("code", is("MALFORMED_JSON"));
        as(user).post(PAY).then().statusCode(400);
        // JPY has no minor unit
        as(user).body(SEED_BODY.replace("100.00", "100.5").replace("USD", "JPY")).post(PAY).then().statusCode(400)
                .body("errors[0].field", is("amount"));
        as(user).get("/api/v1/billing/transactions").then().body("count", is(0));
        given().contentType(ContentType.JSON).body(SEED_BODY).post(PAY).then().statusCode(401);
    }

    @Test
    void transactionsPageAndTheBalanceIsTheSumOfTheLedger() {
        UUID user = UUID.randomUUID();
        for (int i = 1; i <= 5; i++) {
            as(user).header("Idempotency-Key", "seq-" + i).body(SEED_BODY.replace("100.00", i + ".25")).post(PAY)
                    .then().statusCode(201);
        }
        String reservation = as(user).body("{\"amount\":\"3\",\"purpose\":\"chat\"}")
                .post("/api/v1/guardrails/spending/reserve").then().statusCode(201).extract().path("reservation_id");
        as(user).body("{\"amount\":\"2.123456\"}").post("/api/v1/guardrails/spending/reservations/" + reservation + "/settle")
                .then().statusCode(200);
        as(user).get("/api/v1/billing/transactions?limit=2&offset=0").then().statusCode(200)
                .body("transactions", hasSize(2)).body("count", is(6)).body("total", is(6))
                .body("limit", is(2)).body("offset", is(0))
                .body("transactions[0].type", is("usage"));
        as(user).get("/api/v1/billing/transactions?limit=2&offset=4").then().body("transactions", hasSize(2));
        as(user).get("/api/v1/billing/transactions?limit=2&offset=10").then().body("transactions", hasSize(0))
                .body("count", is(6));
        List<BigDecimal> amounts = as(user).get("/api/v1/billing/transactions?limit=200").then().extract()
                .jsonPath().using(io.restassured.path.json.config.JsonPathConfig.jsonPathConfig().numberReturnType(
                        io.restassured.path.json.config.JsonPathConfig.NumberReturnType.BIG_DECIMAL))
                .getList("transactions.amount", BigDecimal.class);
        BigDecimal sum = amounts.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, new BigDecimal("14.126544").compareTo(sum), "sum " + sum);
        assertEquals(0, sum.compareTo(balance(user)));
        as(user).get("/api/v1/billing/account").then().body("held", is(0.0f));
        as(user).get("/api/v1/billing/transactions?limit=0").then().statusCode(400).body("errors[0].field", is("limit"));
        as(user).get("/api/v1/billing/transactions?limit=abc").then().statusCode(400).body("errors[0].field", is("limit"));
        as(user).get("/api/v1/billing/transactions?offset=-1").then().statusCode(400).body("errors[0].field", is("offset"));
        as(user).get("/api/v1/billing/transactions?type=bogus").then().statusCode(400).body("errors[0].field", is("type"));
        // nobody else sees them
        as(UUID.randomUUID()).get("/api/v1/billing/transactions").then().statusCode(200).body("count", is(0));
        given().get("/api/v1/billing/transactions").then().statusCode(401);
    }

    @Test
    void theExportHoldsTheUsersBillingData() {
        UUID user = UUID.randomUUID();
        as(user).header("Idempotency-Key", "exp-1").body(SEED_BODY).post(PAY).then().statusCode(201);
        as(user).get("/internal/v1/export").then().statusCode(200)
                .body("service", is("billing-service"))
                .body("data.account.user_id", is(user.toString()))
                .body("data.balance", is(100.0f))
                .body("data.transactions", hasSize(1))
                .body("data.payments", hasSize(1))
                .body("data.payments[0].provider", is("stripe"))
                .body("data.spending_windows", hasSize(0))
                .body("data.credits", hasSize(0));
        given().get("/internal/v1/export").then().statusCode(401);
    }

    static io.restassured.response.Response webhook(String body, String signature) {
        var spec = given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8));
        if (signature != null) {
            spec = spec.header("Stripe-Signature", signature);
        }
        return spec.post("/api/v1/billing/webhooks/stripe");
    }

    static String signature(String body, long t) {
        return "t=" + t + ",v1=" + StripeSignature.sign(StripeStub.WEBHOOK_SECRET, t, body.getBytes(StandardCharsets.UTF_8));
    }
}
