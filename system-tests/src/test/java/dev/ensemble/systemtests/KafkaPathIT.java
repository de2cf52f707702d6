package dev.ensemble.systemtests;

import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The first path across Kafka, through the gateway only: auth-service registers a user and writes
 * {@code user.registered} to its outbox; the relay publishes it on {@code user.events}; billing-service
 * consumes it and opens the user's account.
 */
class KafkaPathIT extends SystemTest {

    @Test
    void registeringAUserOpensABillingAccountThroughKafka() {
        String email = uniqueEmail("kafka-path");
        String requestId = "it-" + UUID.randomUUID();

        String userId = gateway().contentType(ContentType.JSON)
                .header("X-Request-Id", requestId)
                .body(Map.of("email", email, "password", PASSWORD, "name", "Kafka Path"))
                .post("/api/v1/auth/register")
                .then().statusCode(201)
                .header("X-Request-Id", requestId)
                .body("user.id", notNullValue())
                .body("user.email", equalTo(email))
                .body("user.name", equalTo("Kafka Path"))
                .body("user.created_at", notNullValue())
                .extract().path("user.id");

        String token = gateway().contentType(ContentType.JSON)
                .header("X-Request-Id", requestId + "-login")
                .body(Map.of("email", email, "password", PASSWORD))
                .post("/api/v1/auth/login")
                .then().statusCode(200)
                .header("X-Request-Id", requestId + "-login")
                .body("tokens.access_token", notNullValue())
                .extract().path("tokens.access_token");

        await("billing account of " + userId + " opened from user.events")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> gateway()
                        .header("Authorization", "Bearer " + token)
                        .get("/api/v1/billing/account")
                        .then().statusCode(200)
                        .body("user_id", equalTo(userId)));
    }
}
