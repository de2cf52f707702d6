package dev.ensemble.auth;

import dev.ensemble.testing.EnsembleTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;

@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "auth"))
class SessionAndKeyTest {

    record Account(String email, String username, String password) {
    }

    static Account register() {
        String u = "u" + UUID.randomUUID().toString().substring(0, 8);
        Account a = new Account(u + "@example.com", u, "secure_password123");
        given().contentType(ContentType.JSON)
                .body("{\"username\":\"" + a.username + "\",\"email\":\"" + a.email + "\",\"password\":\"" + a.password + "\"}")
                .post("/api/v1/auth/register").then().statusCode(201).body("user.username", is(a.username));
        return a;
    }

    static io.restassured.path.json.JsonPath login(Account a) {
        return given().contentType(ContentType.JSON)
                .body("{\"email\":\"" + a.email + "\",\"password\":\"" + a.password + "\"}")
                .post("/api/v1/auth/login").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void formLoginAnswersTheOAuth2Shape() {
        Account a = register();
        given().contentType(ContentType.URLENC).formParam("username", a.username).formParam("password", a.password)
                .post("/api/v1/auth/login")
                .then().statusCode(200)
                .body("access_token", notNullValue()).body("token_type", is("bearer"))
                .body("expires_in", greaterThan(0));
        given().contentType(ContentType.URLENC).formParam("username", a.username)
                .post("/api/v1/auth/login")
                .then().statusCode(400).body("errors[0].field", is("password"));
    }

    @Test
    void refreshRotatesAndReuseRevokesTheFamily() {
        Account a = register();
        String first = login(a).getString("tokens.refresh_token");
        String second = given().contentType(ContentType.JSON).body("{\"refresh_token\":\"" + first + "\"}")
                .post("/api/v1/auth/refresh").then().statusCode(200)
                .body("tokens.access_token", notNullValue()).extract().path("tokens.refresh_token");
        // replaying the spent token is refused and revokes its successor too
        given().contentType(ContentType.JSON).body("{\"refresh_token\":\"" + first + "\"}")
                .post("/api/v1/auth/refresh").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"refresh_token\":\"" + second + "\"}")
                .post("/api/v1/auth/refresh").then().statusCode(401);
    }

    @Test
    void logoutRevokesTheRefreshToken() {
        Account a = register();
        String rt = login(a).getString("tokens.refresh_token");
        given().contentType(ContentType.JSON).body("{\"refresh_token\":\"" + rt + "\"}")
                .post("/api/v1/auth/logout").then().statusCode(204);
        given().contentType(ContentType.JSON).body("{\"refresh_token\":\"" + rt + "\"}")
                .post("/api/v1/auth/refresh").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/auth/refresh")
                .then().statusCode(400).body("errors[0].field", is("refresh_token"));
    }

    @Test
    void apiKeysAreShownOnceListedByPrefixAndRevocable() {
        String token = login(register()).getString("tokens.access_token");
        String key = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"name\":\"production_api_key\",\"expires_at\":\"2099-12-31T23:59:59Z\"}")
                .post("/api/v1/auth/apikey")
                .then().statusCode(201)
                .body("api_key", startsWith("ak_live_"))
                .body("message", containsString("will not be shown again"))
                .body("expires_at", is("2099-12-31T23:59:59Z"))
                .extract().path("api_key");
        String id = given().auth().oauth2(token).get("/api/v1/auth/apikeys")
                .then().statusCode(200)
                .body("count", is(1))
                .body("api_keys[0].prefix", is(key.substring(0, 12)))
                .body("api_keys[0].api_key", nullValue())
                .body("api_keys[0].active", is(true))
                .extract().path("api_keys[0].id");

        String other = login(register()).getString("tokens.access_token");
        given().auth().oauth2(other).delete("/api/v1/auth/apikeys/" + id).then().statusCode(404);

        given().auth().oauth2(token).delete("/api/v1/auth/apikeys/" + id)
                .then().statusCode(200).body("active", is(false)).body("revoked_at", notNullValue());
    }

    @Test
    void apiKeyValidation() {
        String token = login(register()).getString("tokens.access_token");
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"expires_at\":\"2001-01-01T00:00:00Z\"}")
                .post("/api/v1/auth/apikey").then().statusCode(400).body("errors[0].field", is("expires_at"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"expires_at\":\"tomorrow\"}")
                .post("/api/v1/auth/apikey").then().statusCode(400).body("errors[0].field", is("expires_at"));
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/auth/apikey").then().statusCode(401);
    }

    @Test
    void repeatedFailuresAreThrottled() {
        Account a = register();
        for (int i = 0; i < 5; i++) {
            given().contentType(ContentType.JSON).body("{\"email\":\"" + a.email + "\",\"password\":\"wrong_one_" + i + "\"}")
                    .post("/api/v1/auth/login").then().statusCode(401);
        }
        given().contentType(ContentType.JSON).body("{\"email\":\"" + a.email + "\",\"password\":\"" + a.password + "\"}")
                .post("/api/v1/auth/login")
                .then().statusCode(429).header("Retry-After", notNullValue()).body("code", is("RATE_LIMITED"));
    }

    @Test
    void theOperatorNamesTheFirstAdmin() {
        given().contentType(ContentType.JSON)
                .body("{\"email\":\"root@example.com\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/register").then().statusCode(anyOf(is(201), is(409)));
        String token = given().contentType(ContentType.JSON)
                .body("{\"email\":\"root@example.com\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/login").then().statusCode(200).body("user.is_admin", is(true))
                .extract().path("access_token");
        given().auth().oauth2(token).get("/api/v1/auth/me").then().statusCode(200).body("is_admin", is(true));
        Account plain = register();
        login(plain);
        given().auth().oauth2(login(plain).getString("access_token")).get("/api/v1/auth/me")
                .then().body("is_admin", is(false));
    }
}
