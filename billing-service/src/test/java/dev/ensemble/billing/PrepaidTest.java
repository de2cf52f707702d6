package dev.ensemble.billing;

import dev.ensemble.billing.support.StripeStub;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

/** Prepaid mode: reservations need credit, else 402 INSUFFICIENT_CREDITS. */
@QuarkusTest
@TestProfile(PrepaidTest.Prepaid.class)
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "billing"))
@QuarkusTestResource(StripeStub.class)
class PrepaidTest {

    public static class Prepaid implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ensemble.billing.require-credits", "true");
        }
    }

    @Test
    void reservationsNeedCredit() {
        UUID user = UUID.randomUUID();
        var as = given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON);
        as.body("{\"amount\":\"1\",\"purpose\":\"chat\"}").post("/api/v1/guardrails/spending/reserve").then()
                .statusCode(402).contentType("application/problem+json")
                .body("code", is("INSUFFICIENT_CREDITS")).body("available", is(0.0f)).body("required", is(1.0f));
        given().auth().oauth2(TestKeys.admin(UUID.randomUUID())).contentType(ContentType.JSON)
                .body(Map.of("user_id", user.toString(), "amount", 5)).post("/api/v1/billing/credits")
                .then().statusCode(201);
        String id = given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON)
                .body("{\"amount\":\"3\",\"purpose\":\"chat\"}").post("/api/v1/guardrails/spending/reserve")
                .then().statusCode(201).extract().path("reservation_id");
        given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON)
                .body("{\"amount\":\"3\",\"purpose\":\"chat\"}").post("/api/v1/guardrails/spending/reserve")
                .then().statusCode(402).body("code", is("INSUFFICIENT_CREDITS")).body("available", is(2.0f));
        given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON).body("{\"amount\":\"2.5\"}")
                .post("/api/v1/guardrails/spending/reservations/" + id + "/settle").then().statusCode(200);
        given().auth().oauth2(TestKeys.user(user)).get("/api/v1/billing/account").then()
                .body("balance", is(2.5f)).body("available", is(2.5f));
        given().auth().oauth2(TestKeys.user(user)).contentType(ContentType.JSON)
                .body("{\"amount\":\"2.5\",\"purpose\":\"chat\"}").post("/api/v1/guardrails/spending/reserve")
                .then().statusCode(201);
    }
}
