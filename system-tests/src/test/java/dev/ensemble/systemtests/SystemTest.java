package dev.ensemble.systemtests;

import dev.ensemble.launcher.Suite;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** Base of the system tests: one running suite, and requests that go only to the gateway. */
@ExtendWith(SuiteExtension.class)
public abstract class SystemTest {

    protected static final String PASSWORD = "correct-horse-battery-9";

    @BeforeEach
    void logFailures() {
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    protected static Suite suite() {
        return SuiteExtension.suite();
    }

    /** A request to the gateway. */
    protected static RequestSpecification gateway() {
        return RestAssured.given().baseUri(suite().gatewayUrl());
    }

    protected static String uniqueEmail(String prefix) {
        return prefix + "-" + UUID.randomUUID() + "@example.com";
    }

    /** Registers a user through the gateway and returns its id. */
    protected static String register(String email, String name) {
        return gateway().contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", PASSWORD, "name", name))
                .post("/api/v1/auth/register")
                .then().statusCode(201)
                .body("user.id", notNullValue())
                .body("user.email", equalTo(email))
                .extract().path("user.id");
    }

    /** Logs in through the gateway and returns the access token. */
    protected static String login(String email) {
        return gateway().contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", PASSWORD))
                .post("/api/v1/auth/login")
                .then().statusCode(200)
                .body("tokens.access_token", notNullValue())
                .extract().path("tokens.access_token");
    }
}
