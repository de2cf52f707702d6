package dev.ensemble.billing;

import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.events.user.UserRegistered;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertFalse;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "billing"))
class UserEventsConsumerTest {

    static String registered(UUID userId) {
        return Events.write(Events.envelope(UserRegistered.TYPE, userId.toString(), "test", 1, null,
                new UserRegistered(userId, userId + "@example.com", "Test", null)));
    }

    @Test
    void opensAnAccountForANewUser() {
        UUID user = UUID.randomUUID();
        KafkaTestClient.send(Topics.USER_EVENTS, user.toString(), registered(user));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().auth().oauth2(TestKeys.user(user)).get("/api/v1/billing/account")
                        .then().statusCode(200).body("user_id", is(user.toString()))
                        .body("currency", is("USD")).body("balance", is(0.0f)));
    }

    @Test
    void aRedeliveredEventIsHandledOnce() {
        UUID user = UUID.randomUUID();
        String event = registered(user);
        KafkaTestClient.send(Topics.USER_EVENTS, user.toString(), event);
        KafkaTestClient.send(Topics.USER_EVENTS, user.toString(), event);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().auth().oauth2(TestKeys.user(user)).get("/api/v1/billing/account").then().statusCode(200));
    }

    @Test
    void aPoisonEventLandsInTheDeadLetterTopic() {
        String key = "poison-" + UUID.randomUUID();
        KafkaTestClient.send(Topics.USER_EVENTS, key, "{not json");
        var dead = KafkaTestClient.await(Topics.dlq(Topics.USER_EVENTS), r -> key.equals(r.key()), Duration.ofSeconds(30));
        assertFalse(dead.isEmpty(), "poison event did not reach the DLQ");
        // and the consumer keeps going
        opensAnAccountForANewUser();
    }

    @Test
    void anotherUsersAccountIsNotVisibleAndAnonymousIsRefused() {
        given().get("/api/v1/billing/account").then().statusCode(401);
        given().auth().oauth2(TestKeys.user(UUID.randomUUID())).get("/api/v1/billing/account")
                .then().statusCode(404).body("code", is("NOT_FOUND"));
    }
}
