package dev.ensemble.auth;

import dev.ensemble.events.Topics;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertFalse;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "auth"))
class AuthResourceTest {

    static String email() {
        return "u" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    void registersLogsInAndReadsMe() {
        String email = email();
        String id = given().contentType(ContentType.JSON)
                .body("{\"email\":\"" + email + "\",\"password\":\"secure_password123\",\"name\":\"User Name\"}")
                .post("/api/v1/auth/register")
                .then().statusCode(201)
                .body("user.email", is(email))
                .body("user.name", is("User Name"))
                .body("user.created_at", notNullValue())
                .body("user.is_active", is(true))
                .extract().path("user.id");

        String token = given().contentType(ContentType.JSON)
                .body("{\"email\":\"" + email + "\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/login")
                .then().statusCode(200)
                .body("user.id", is(id))
                .body("tokens.access_token", notNullValue())
                .body("tokens.expires_in", greaterThan(0))
                .extract().path("tokens.access_token");

        given().auth().oauth2(token).get("/api/v1/auth/me")
                .then().statusCode(200).body("id", is(id)).body("last_login", notNullValue());
    }

    @Test
    void publishesUserRegisteredThroughTheOutbox() {
        String email = email();
        String id = given().contentType(ContentType.JSON)
                .body("{\"email\":\"" + email + "\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/register").then().statusCode(201).extract().path("user.id");
        var records = KafkaTestClient.await(Topics.USER_EVENTS, r -> id.equals(r.key()), Duration.ofSeconds(20));
        assertFalse(records.isEmpty(), "user.registered was not published");
    }

    @Test
    void rejectsDuplicateEmailAndBadFields() {
        String email = email();
        String body = "{\"email\":\"" + email + "\",\"password\":\"secure_password123\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/v1/auth/register").then().statusCode(201);
        given().contentType(ContentType.JSON).body(body.replace(email, email.toUpperCase()))
                .post("/api/v1/auth/register")
                .then().statusCode(409).contentType("application/problem+json").body("code", is("CONFLICT"));

        given().contentType(ContentType.JSON).body("{\"email\":\"nope\",\"password\":\"short\"}")
                .post("/api/v1/auth/register")
                .then().statusCode(400)
                .body("code", is("VALIDATION_ERROR"))
                .body("errors.field", hasItems("email", "password"))
                .body("request_id", notNullValue());
    }

    @Test
    void malformedJsonAndWrongTypesAreClean400s() {
        given().contentType(ContentType.JSON).body("{\"email\": ").post("/api/v1/auth/register")
                .then().statusCode(400).body("code", is("MALFORMED_JSON"));
        given().contentType(ContentType.JSON).body("{\"email\": [1,2], \"password\": {}}").post("/api/v1/auth/register")
                .then().statusCode(400).body("code", is("VALIDATION_ERROR"));
        given().contentType(ContentType.JSON).body("").post("/api/v1/auth/register")
                .then().statusCode(400);
    }

    @Test
    void loginFailuresDoNotRevealTheAccount() {
        String email = email();
        given().contentType(ContentType.JSON).body("{\"email\":\"" + email + "\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/register").then().statusCode(201);
        String wrong = given().contentType(ContentType.JSON)
                .body("{\"email\":\"" + email + "\",\"password\":\"wrong_password\"}")
                .post("/api/v1/auth/login").then().statusCode(401).extract().path("detail");
        String unknown = given().contentType(ContentType.JSON)
                .body("{\"email\":\"nobody-" + email + "\",\"password\":\"wrong_password\"}")
                .post("/api/v1/auth/login").then().statusCode(401).extract().path("detail");
        org.junit.jupiter.api.Assertions.assertEquals(wrong, unknown);
    }

    @Test
    void meNeedsAValidToken() {
        given().get("/api/v1/auth/me").then().statusCode(401);
        given().auth().oauth2("not.a.token").get("/api/v1/auth/me").then().statusCode(401);
    }

    @Test
    void publishesJwks() {
        given().get("/.well-known/jwks.json").then().statusCode(200)
                .body("keys[0].kty", is("RSA")).body("keys[0].d", nullValue());
    }

    @Test
    void unknownRouteIsAProblem() {
        given().get("/api/v1/auth/nothing-here").then().statusCode(404).body("code", is("NOT_FOUND"));
    }

    @Test
    void healthIncludesDatabaseAndKafka() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItems(containsString("Reactive PostgreSQL"), containsString("Kafka")));
    }
}
