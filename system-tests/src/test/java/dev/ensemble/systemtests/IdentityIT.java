package dev.ensemble.systemtests;

import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Identity through the real gateway and auth-service: registration and login on every seed's
 * paths, the edge refusing what it must (in each seed's error shape), API keys from creation to
 * revocation, and the rate-limit headers.
 */
class IdentityIT extends SystemTest {

    static String uniqueName(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aiserveRegistersLogsInAndReadsTheUser() {
        String email = uniqueEmail("farm");
        register(email, "Farm User");
        String token = login(email);
        gateway().auth().oauth2(token).get("/api/v1/auth/me").then().statusCode(200)
                .body("email", is(email)).body("name", is("Farm User"))
                .body("is_active", is(true)).body("is_admin", is(false))
                .body("created_at", notNullValue()).body("last_login", notNullValue())
                .header("X-RateLimit-Limit", notNullValue())
                .header("X-RateLimit-Remaining", notNullValue())
                .header("X-RateLimit-Reset", matchesPattern("\\d+"))
                .header("X-Content-Type-Options", "nosniff");
    }

    @Test
    void aimosRegistersWithAFormLoginAndReadsMe() {
        String username = uniqueName("aimos");
        gateway().contentType(ContentType.JSON)
                .body(Map.of("username", username, "email", username + "@example.com", "password", PASSWORD))
                .post("/api/auth/register").then().statusCode(201)
                .body("id", notNullValue()).body("username", is(username))
                .body("email", is(username + "@example.com")).body("is_active", is(true))
                .body("is_admin", is(false)).body("created_at", notNullValue()).body("last_login", nullValue());
        String token = gateway().contentType(ContentType.URLENC).formParam("username", username)
                .formParam("password", PASSWORD).post("/api/auth/login").then().statusCode(200)
                .body("access_token", notNullValue()).body("token_type", is("bearer"))
                .body("expires_in", greaterThan(0)).extract().path("access_token");
        gateway().auth().oauth2(token).get("/api/auth/me").then().statusCode(200)
                .body("username", is(username)).body("is_active", is(true)).body("last_login", notNullValue());
        // AIMOS errors: {detail}
        gateway().contentType(ContentType.URLENC).formParam("username", username).formParam("password", "wrong-password")
                .post("/api/auth/login").then().statusCode(401).body("detail", notNullValue());
        gateway().get("/api/auth/me").then().statusCode(401).body("detail", notNullValue());
        gateway().contentType(ContentType.JSON)
                .body(Map.of("username", "x", "email", "not-an-email", "password", "short"))
                .post("/api/auth/register").then().statusCode(400)
                .body("detail", notNullValue()).body("type", is("validation_error"))
                .body("errors.field", hasItems("email", "password"));
    }

    @Test
    void aisembleLogsInWithItsBody() {
        String username = uniqueName("semble");
        gateway().contentType(ContentType.JSON)
                .body(Map.of("username", username, "email", username + "@example.com", "password", PASSWORD))
                .post("/api/v1/auth/register").then().statusCode(201);
        String token = gateway().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD))
                .post("/api/v2/auth/login").then().statusCode(200)
                .body("access_token", notNullValue()).body("token_type", is("bearer"))
                .body("expires_in", greaterThan(0)).body("refresh_token", notNullValue())
                .extract().path("access_token");
        gateway().auth().oauth2(token).get("/api/v2/auth/me").then().statusCode(200).body("username", is(username));
        gateway().contentType(ContentType.JSON).body(Map.of("username", username, "password", "wrong-password"))
                .post("/api/v2/auth/login").then().statusCode(401)
                .body("error.code", is("AUTHENTICATION_REQUIRED")).body("error.message", notNullValue())
                .body("error.request_id", notNullValue()).body("error.timestamp", notNullValue());
        gateway().get("/api/v2/models").then().statusCode(401).body("error.code", is("AUTHENTICATION_REQUIRED"));
    }

    @Test
    void theEdgeRefusesBadTokensAndInternalPaths() {
        String token = login(registerNew());
        String[] parts = token.split("\\.");
        gateway().auth().oauth2(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 30) + "AAAA")
                .get("/api/v1/auth/me").then().statusCode(401).body("code", notNullValue());
        gateway().get("/api/v1/auth/me").then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"));
        gateway().auth().oauth2(token).contentType(ContentType.JSON).body("{\"api_key\":\"ak_live_x\"}")
                .post("/internal/v1/api-keys/resolve").then().statusCode(404);
    }

    @Test
    void anApiKeyWorksUntilItIsRevoked() throws Exception {
        String email = uniqueEmail("keys");
        register(email, "Key User");
        String token = login(email);
        String key = gateway().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", "ci", "expires_at", "2099-12-31T23:59:59Z"))
                .post("/api/v1/auth/apikey").then().statusCode(201)
                .body("api_key", startsWith("ak_live_")).body("message", notNullValue())
                .body("created_at", notNullValue()).body("expires_at", notNullValue())
                .extract().path("api_key");
        gateway().header("X-API-Key", key).get("/api/v1/auth/me").then().statusCode(200).body("email", is(email))
                .header("X-RateLimit-Limit", notNullValue());
        gateway().auth().oauth2(key).get("/api/v1/auth/me").then().statusCode(200).body("email", is(email));
        String id = gateway().auth().oauth2(token).get("/api/v1/auth/apikeys").then().statusCode(200)
                .body("api_keys[0].prefix", startsWith("ak_live_")).body("api_keys[0].api_key", nullValue())
                .extract().path("api_keys[0].id");
        gateway().auth().oauth2(token).delete("/api/v1/auth/apikeys/" + id).then().statusCode(200);
        long deadline = System.currentTimeMillis() + 15_000;
        int status;
        do {
            Thread.sleep(500);
            status = gateway().header("X-API-Key", key).get("/api/v1/auth/me").statusCode();
        } while (status == 200 && System.currentTimeMillis() < deadline);
        assertEquals(401, status, "a revoked key is refused within seconds");
        gateway().header("X-API-Key", "ak_live_0000000000000000000000000000000000000000")
                .get("/api/v1/auth/me").then().statusCode(401);
    }

    @Test
    void theRateLimitCountsDown() {
        String token = login(registerNew());
        int first = Integer.parseInt(gateway().auth().oauth2(token).get("/api/v1/auth/me").then().statusCode(200)
                .extract().header("X-RateLimit-Remaining"));
        int second = Integer.parseInt(gateway().auth().oauth2(token).get("/api/v1/auth/me").then().statusCode(200)
                .extract().header("X-RateLimit-Remaining"));
        assertEquals(first - 1, second);
    }

    @Test
    void exportGathersTheAccount() {
        String email = uniqueEmail("export");
        register(email, "Export User");
        String token = login(email);
        gateway().auth().oauth2(token).get("/api/v1/user/export").then().statusCode(200)
                .body("user.email", is(email)).body("api_keys", notNullValue())
                .body("services.auth.status", is("ok"));
    }

    private static String registerNew() {
        String email = uniqueEmail("edge");
        register(email, "Edge User");
        return email;
    }
}
