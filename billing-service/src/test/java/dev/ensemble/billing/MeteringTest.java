package dev.ensemble.billing;

import dev.ensemble.billing.support.StripeStub;
import dev.ensemble.events.EventEnvelope;
import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.events.usage.UsageRecorded;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Metering through the real broker: usage.events in, the ledger charged once, billing.events out. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "billing"))
@QuarkusTestResource(StripeStub.class)
class MeteringTest {

    static RequestSpecification as(UUID user) {
        return given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON);
    }

    static EventEnvelope usage(UUID user, String kind, String resource, String quantity, Long prompt, Long completion,
                               UUID reservation) {
        return Events.envelope(UsageRecorded.TYPE, user.toString(), "test", UsageRecorded.VERSION, null,
                new UsageRecorded(user, kind, resource, quantity == null ? null : new BigDecimal(quantity), prompt,
                        completion, "ref-" + UUID.randomUUID(), reservation, null, null));
    }

    static void send(EventEnvelope event) {
        KafkaTestClient.send(Topics.USAGE_EVENTS, event.subject(), Events.write(event));
    }

    @Test
    void usageIsPricedFromThePriceListAndChargedOnceEvenWhenRedelivered() {
        UUID user = UUID.randomUUID();
        EventEnvelope tokens = usage(user, UsageRecorded.TOKENS, "tiny-lm", null, 1_500L, 500L, null); // 2k tokens
        send(tokens);
        send(tokens); // a redelivery
        EventEnvelope gpu = usage(user, UsageRecorded.GPU_TIME, "A100", "1800", null, null, null); // half a GPU-hour
        send(gpu);
        send(usage(user, UsageRecorded.PREDICTION, "iris", "10", null, null, null));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                as(user).get("/api/v1/billing/transactions").then().statusCode(200).body("count", is(3)));
        send(tokens);
        // tokens 2k x 0.002/1k = 0.004; gpu 0.5h x 2.50 = 1.25; predictions 10 x 0.0001 = 0.001
        as(user).get("/api/v1/billing/account").then().body("balance", is(-1.255f));
        as(user).get("/api/v1/guardrails/spending").then().body("windows[0].spent", is(1.255f));
        var charged = KafkaTestClient.await(Topics.BILLING_EVENTS, r -> user.toString().equals(r.key())
                && r.value().contains("billing.charged") && r.value().contains(tokens.id().toString()), Duration.ofSeconds(30));
        assertFalse(charged.isEmpty(), "billing.charged was not published");
        // still exactly three charges after the extra redelivery was consumed
        var later = usage(user, UsageRecorded.PREDICTION, null, "1", null, null, null);
        send(later);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                as(user).get("/api/v1/billing/transactions").then().body("count", is(4)));
        as(user).get("/api/v1/billing/transactions?type=usage").then()
                .body("transactions.findAll { it.reference == 'usage:" + tokens.id() + "' }", hasSize(1));
    }

    @Test
    void aUsageEventThatCannotBePricedGoesToTheDeadLetterTopic() {
        UUID user = UUID.randomUUID();
        EventEnvelope unknown = usage(user, "teleportation", null, "1", null, null, null);
        send(unknown);
        var dead = KafkaTestClient.await(Topics.dlq(Topics.USAGE_EVENTS),
                r -> r.value() != null && r.value().contains(unknown.id().toString()), Duration.ofSeconds(60));
        assertFalse(dead.isEmpty(), "the unpriceable event did not reach the DLQ");
        EventEnvelope negative = usage(user, UsageRecorded.PREDICTION, null, "-4", null, null, null);
        send(negative);
        assertFalse(KafkaTestClient.await(Topics.dlq(Topics.USAGE_EVENTS),
                r -> r.value() != null && r.value().contains(negative.id().toString()), Duration.ofSeconds(60)).isEmpty());
        // and metering carries on
        send(usage(user, UsageRecorded.PREDICTION, null, "3", null, null, null));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                as(user).get("/api/v1/billing/transactions").then().body("count", is(1)));
    }

    @Test
    void aUsageEventSettlesTheReservationItNames() {
        UUID user = UUID.randomUUID();
        String id = as(user).body("{\"amount\":\"0.50\",\"purpose\":\"chat\",\"reference_id\":\"chat-1\"}")
                .post("/api/v1/guardrails/spending/reserve").then().statusCode(201).extract().path("reservation_id");
        send(usage(user, UsageRecorded.TOKENS, null, null, 10_000L, 0L, UUID.fromString(id))); // 0.02
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                as(user).get("/api/v1/guardrails/spending/reservations/" + id).then().body("status", is("settled"))
                        .body("amount", is(0.02f)));
        as(user).get("/api/v1/guardrails/spending").then().body("held", is(0.0f)).body("windows[0].spent", is(0.02f));
        // settling it again over HTTP changes nothing
        as(user).body("{\"amount\":\"0.40\"}").post("/api/v1/guardrails/spending/reservations/" + id + "/settle")
                .then().statusCode(200).body("amount", is(0.02f));
        as(user).get("/api/v1/billing/transactions").then().body("count", is(1))
                .body("transactions[0].amount", is(-0.02f));
        assertEquals(id, as(user).get("/internal/v1/export").then().extract().path("data.reservations[0].reservation_id"));
    }
}
