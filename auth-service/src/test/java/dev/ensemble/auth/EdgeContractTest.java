package dev.ensemble.auth;

import dev.ensemble.testing.EnsembleTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static dev.ensemble.auth.SessionAndKeyTest.login;
import static dev.ensemble.auth.SessionAndKeyTest.register;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What auth-service offers the edge and the seeds: API-key resolution for the gateway (behind the
 * internal token), the plan claim, the seed user shapes, key rotation and the account export.
 */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "auth"))
class EdgeContractTest {

    static final String INTERNAL = "test-internal-token";

    static String claims(String jwt) {
        return new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
    }

    static String newKey(String token, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .post("/api/v1/auth/apikey").then().statusCode(201).extract().path("api_key");
    }

    static io.restassured.response.Response resolve(String key, String internalToken) {
        var req = given().contentType(ContentType.JSON).body("{\"api_key\":\"" + key + "\"}");
        if (internalToken != null) {
            req.header("X-Internal-Token", internalToken);
        }
        return req.post("/internal/v1/api-keys/resolve");
    }

    @Test
    void resolvesAnApiKeyOnlyForTheGateway() {
        var a = register();
        String token = login(a).getString("access_token");
        String key = newKey(token, "{\"name\":\"ci\"}");
        resolve(key, null).then().statusCode(404);
        resolve(key, "wrong").then().statusCode(404);
        JsonPath r = resolve(key, INTERNAL).then().statusCode(200)
                .body("user_id", notNullValue()).body("key_id", notNullValue())
                .body("roles", contains("user")).body("plan", is("pro"))
                .body("token_type", is("bearer")).body("expires_in", is(300))
                .extract().jsonPath();
        String minted = r.getString("access_token");
        assertTrue(claims(minted).contains("\"api_key_id\":\"" + r.getString("key_id") + "\""));
        // the minted token is an ordinary access token of the owner
        given().auth().oauth2(minted).get("/api/v1/auth/me").then().statusCode(200).body("email", is(a.email()));
        resolve("ak_live_00000000000000000000", INTERNAL).then().statusCode(404);
        resolve("not-a-key", INTERNAL).then().statusCode(404);
        given().header("X-Internal-Token", INTERNAL).contentType(ContentType.JSON).body("{}")
                .post("/internal/v1/api-keys/resolve").then().statusCode(400).body("errors[0].field", is("api_key"));
        given().header("X-Internal-Token", INTERNAL).contentType(ContentType.JSON).body("{\"api_key\":")
                .post("/internal/v1/api-keys/resolve").then().statusCode(400);
    }

    @Test
    void revokedAndExpiredKeysNoLongerResolve() throws Exception {
        String token = login(register()).getString("access_token");
        String key = newKey(token, "{}");
        String id = given().auth().oauth2(token).get("/api/v1/auth/apikeys").then().statusCode(200)
                .extract().path("api_keys[0].id");
        resolve(key, INTERNAL).then().statusCode(200);
        given().auth().oauth2(token).delete("/api/v1/auth/apikeys/" + id).then().statusCode(200);
        resolve(key, INTERNAL).then().statusCode(404);

        String shortLived = newKey(token, "{\"expires_at\":\"" + Instant.now().plusSeconds(2) + "\"}");
        resolve(shortLived, INTERNAL).then().statusCode(200);
        Thread.sleep(2_500);
        resolve(shortLived, INTERNAL).then().statusCode(404);
    }

    @Test
    void tokensCarryThePlan() {
        JsonPath login = login(register());
        assertTrue(claims(login.getString("access_token")).contains("\"plan\":\"pro\""));
    }

    @Test
    void aimosRegistrationAnswersTheUserItself() {
        String u = "m" + java.util.UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).header("X-Ensemble-Dialect", "aimos")
                .body("{\"username\":\"" + u + "\",\"email\":\"" + u + "@example.com\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/register").then().statusCode(201)
                .body("id", notNullValue()).body("username", is(u)).body("email", is(u + "@example.com"))
                .body("is_active", is(true)).body("is_admin", is(false)).body("created_at", notNullValue())
                .body("$", hasKey("last_login")).body("last_login", nullValue()).body("user", nullValue());
        String token = given().contentType(ContentType.URLENC).formParam("username", u)
                .formParam("password", "secure_password123").post("/api/v1/auth/login").then().statusCode(200)
                .body("access_token", notNullValue()).body("token_type", is("bearer")).body("expires_in", greaterThan(0))
                .extract().path("access_token");
        given().auth().oauth2(token).get("/api/v1/auth/me").then().statusCode(200)
                .body("username", is(u)).body("is_active", is(true)).body("is_admin", is(false))
                .body("created_at", notNullValue()).body("last_login", notNullValue());
    }

    @Test
    void rotationKeepsOldTokensValid() {
        given().contentType(ContentType.JSON)
                .body("{\"email\":\"root@example.com\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/register").then().statusCode(anyOf(is(201), is(409)));
        String admin = given().contentType(ContentType.JSON)
                .body("{\"email\":\"root@example.com\",\"password\":\"secure_password123\"}")
                .post("/api/v1/auth/login").then().statusCode(200).extract().path("access_token");
        var plain = register();
        String oldToken = login(plain).getString("access_token");
        given().auth().oauth2(oldToken).post("/api/v1/auth/keys/rotate").then().statusCode(403);
        given().post("/api/v1/auth/keys/rotate").then().statusCode(401);

        JsonPath rotation = given().auth().oauth2(admin).post("/api/v1/auth/keys/rotate").then().statusCode(200)
                .body("kid", notNullValue()).body("previous_kid", notNullValue()).extract().jsonPath();
        String kid = rotation.getString("kid");
        assertNotEquals(kid, rotation.getString("previous_kid"));
        List<String> kids = given().get("/.well-known/jwks.json").then().statusCode(200).extract().path("keys.kid");
        assertTrue(kids.contains(kid) && kids.contains(rotation.getString("previous_kid")), kids.toString());

        given().auth().oauth2(oldToken).get("/api/v1/auth/me").then().statusCode(200);
        String newToken = login(plain).getString("access_token");
        String header = new String(Base64.getUrlDecoder().decode(newToken.split("\\.")[0]), StandardCharsets.UTF_8);
        assertTrue(header.contains(kid), header);
        given().auth().oauth2(newToken).get("/api/v1/auth/me").then().statusCode(200);
    }

    @Test
    void exportsTheAccountAndReportsServicesThatAreDown() {
        var a = register();
        String token = login(a).getString("access_token");
        newKey(token, "{\"name\":\"export\"}");
        given().get("/api/v1/user/export").then().statusCode(401);
        given().auth().oauth2(token).get("/api/v1/user/export").then().statusCode(200)
                .body("user.email", is(a.email())).body("user.is_active", is(true))
                .body("api_keys", hasSize(1)).body("api_keys[0].prefix", startsWith("ak_live_"))
                .body("api_keys[0]", not(hasKey("api_key"))).body("api_keys[0]", not(hasKey("key_hash")))
                .body("services.auth.status", is("ok"))
                .body("services.billing.status", is("unavailable"))
                .body("services.inference.status", is("unavailable"))
                .body("exported_at", notNullValue());
        given().auth().oauth2(token).get("/internal/v1/export").then().statusCode(200)
                .body("service", is("auth")).body("data.user.email", is(a.email()));
        given().get("/internal/v1/export").then().statusCode(401);
    }
}
