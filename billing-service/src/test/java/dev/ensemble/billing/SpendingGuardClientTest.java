package dev.ensemble.billing;

import dev.ensemble.billing.client.Reservation;
import dev.ensemble.billing.client.SpendingGuard;
import dev.ensemble.billing.client.SpendingRefused;
import dev.ensemble.billing.support.StripeStub;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import dev.ensemble.web.ApiException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** libs/billing-client against the real billing-service: what inference, jobs and the GPU broker will do. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "billing"))
@QuarkusTestResource(StripeStub.class)
class SpendingGuardClientTest {

    @Inject
    Vertx vertx;

    SpendingGuard guard() {
        return SpendingGuard.create(vertx, URI.create("http://localhost:" + RestAssured.port), Duration.ofSeconds(10));
    }

    @Test
    void reservesSettlesAndIsRefusedWithTheBillingCode() {
        UUID user = UUID.randomUUID();
        String token = TestKeys.user(user);
        given().auth().oauth2(token).contentType("application/json").body("{\"limit\": 2}")
                .put("/api/v1/guardrails/spending/windows/hourly").then().statusCode(200);
        Reservation r = guard().reserve(token, new BigDecimal("1.50"), "USD", "gpu_instance", "inst-9",
                Duration.ofMinutes(15)).await().atMost(Duration.ofSeconds(30));
        assertEquals("held", r.status());
        assertEquals(0, new BigDecimal("1.50").compareTo(r.amount()));
        // the same reference is the same hold (safe to retry)
        assertEquals(r.reservationId(), guard().reserve(token, new BigDecimal("1.50"), "USD", "gpu_instance", "inst-9",
                null).await().atMost(Duration.ofSeconds(30)).reservationId());
        SpendingRefused refused = assertThrows(SpendingRefused.class, () -> guard().reserve("Bearer " + token,
                BigDecimal.ONE, "USD", "chat", null, null).await().atMost(Duration.ofSeconds(30)));
        assertEquals(402, refused.status());
        assertEquals("SPENDING_LIMIT", refused.code());
        assertEquals("hourly", refused.violations().get(0).get("window"));
        Reservation settled = guard().settle(token, r.reservationId(), new BigDecimal("1.20"))
                .await().atMost(Duration.ofSeconds(30));
        assertEquals("settled", settled.status());
        assertEquals(0, new BigDecimal("1.20").compareTo(settled.amount()));
        assertEquals("settled", guard().settle(token, r.reservationId(), new BigDecimal("1.20"))
                .await().atMost(Duration.ofSeconds(30)).status());
        Reservation other = guard().reserve(token, new BigDecimal("0.5"), null, "chat", null, null)
                .await().atMost(Duration.ofSeconds(30));
        assertEquals("released", guard().release(token, other.reservationId()).await().atMost(Duration.ofSeconds(30)).status());
        given().auth().oauth2(token).get("/api/v1/guardrails/spending").then()
                .body("windows[0].spent", is(1.2f)).body("held", is(0.0f));
    }

    @Test
    void otherRefusalsKeepTheirStatus() {
        UUID user = UUID.randomUUID();
        ApiException bad = assertThrows(ApiException.class, () -> guard().reserve(TestKeys.user(user),
                new BigDecimal("-1"), "USD", "chat", null, null).await().atMost(Duration.ofSeconds(30)));
        assertEquals(400, bad.status());
        assertEquals("VALIDATION_ERROR", bad.code());
        ApiException anonymous = assertThrows(ApiException.class, () -> guard().reserve("garbage",
                BigDecimal.ONE, "USD", "chat", null, null).await().atMost(Duration.ofSeconds(30)));
        assertEquals(401, anonymous.status());
        ApiException missing = assertThrows(ApiException.class, () -> guard().settle(TestKeys.user(user),
                UUID.randomUUID(), BigDecimal.ONE).await().atMost(Duration.ofSeconds(30)));
        assertEquals(404, missing.status());
    }
}
