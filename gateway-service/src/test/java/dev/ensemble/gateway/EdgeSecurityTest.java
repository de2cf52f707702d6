package dev.ensemble.gateway;

import dev.ensemble.gateway.auth.ApiKeyResolver;
import dev.ensemble.gateway.ratelimit.RateLimits;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.jose4j.jwk.RsaJsonWebKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The edge with authentication on: JWTs verified against a stub JWKS, API keys resolved by a stub
 * of auth-service's internal endpoint, the seed dialects, rate limits, CORS and security headers.
 * The upstream is {@link UpstreamStub}, which echoes what it received.
 */
@QuarkusTest
@TestProfile(EdgeProfile.class)
class EdgeSecurityTest {

    @Inject
    RateLimits limits;

    @Inject
    ApiKeyResolver apiKeys;

    final String user = UUID.randomUUID().toString();

    @BeforeEach
    void clean() {
        limits.limiter().reset();
        apiKeys.clear();
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // --- authentication -------------------------------------------------------------------------

    @Test
    void refusesRequestsWithoutCredential() {
        given().get("/api/v1/models").then().statusCode(401)
                .contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("code", is("AUTH_REQUIRED"))
                .body("error", notNullValue())
                .body("request_id", matchesPattern("req_[0-9a-f]{32}"));
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/api/v1/models").then().statusCode(401);
        given().header("Authorization", "Bearer ").get("/api/v1/models").then().statusCode(401);
    }

    @Test
    void forwardsAVerifiedTokenWithTheDialectAndLimitHeaders() {
        String token = EdgeStub.token(user, "pro");
        given().header("Authorization", bearer(token)).header("X-Ensemble-Dialect", "forged")
                .get("/api/v1/models/abc?limit=5").then().statusCode(200)
                .body("uri", is("/api/v1/models/abc?limit=5"))
                .body("headers.authorization", contains(bearer(token)))
                .body("headers.x-ensemble-dialect", contains("aiserve"))
                .header("X-RateLimit-Limit", "1000")
                .header("X-RateLimit-Remaining", "999")
                .header("X-RateLimit-Reset", matchesPattern("\\d{10}"))
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("Strict-Transport-Security", startsWith("max-age=31536000"));
        // the same token again: served from the verification cache
        given().header("Authorization", bearer(token)).get("/api/v1/models").then().statusCode(200)
                .header("X-RateLimit-Remaining", "998");
    }

    @Test
    void refusesAForgedSignature() {
        String token = EdgeStub.token(user, "pro");
        String[] parts = token.split("\\.");
        String otherPayload = b64("{\"iss\":\"" + EdgeStub.ISSUER + "\",\"sub\":\"" + UUID.randomUUID()
                + "\",\"groups\":[\"user\",\"admin\"],\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + "}");
        given().header("Authorization", bearer(parts[0] + "." + otherPayload + "." + parts[2]))
                .get("/api/v1/models").then().statusCode(401).body("code", is("INVALID_TOKEN"));
        given().header("Authorization", bearer(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 40) + "AAAA"))
                .get("/api/v1/models").then().statusCode(401);
        given().header("Authorization", bearer("not.a.jwt")).get("/api/v1/models").then().statusCode(401);
        given().header("Authorization", bearer("garbage")).get("/api/v1/models").then().statusCode(401);
    }

    @Test
    void refusesAnExpiredToken() {
        String token = EdgeStub.token(EdgeStub.key, user, Set.of("user"), "pro", EdgeStub.ISSUER, Duration.ofMinutes(-5));
        given().header("Authorization", bearer(token)).get("/api/v1/models").then().statusCode(401)
                .body("code", is("TOKEN_EXPIRED"));
    }

    @Test
    void refusesAnotherIssuer() {
        String token = EdgeStub.token(EdgeStub.key, user, Set.of("user"), "pro", "https://evil.example/auth",
                Duration.ofMinutes(5));
        given().header("Authorization", bearer(token)).get("/api/v1/models").then().statusCode(401)
                .body("detail", containsString("issuer"));
    }

    @Test
    void refusesAlgNone() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + EdgeStub.key.getKeyId() + "\"}");
        String payload = b64("{\"iss\":\"" + EdgeStub.ISSUER + "\",\"sub\":\"" + user + "\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + 600) + "}");
        given().header("Authorization", bearer(header + "." + payload + ".")).get("/api/v1/models")
                .then().statusCode(401);
        given().header("Authorization", bearer(header + "." + payload + ".c2ln")).get("/api/v1/models")
                .then().statusCode(401).body("detail", containsString("algorithm"));
    }

    @Test
    void refusesHs256SignedWithThePublicKey() throws Exception {
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + EdgeStub.key.getKeyId() + "\"}");
        String payload = b64("{\"iss\":\"" + EdgeStub.ISSUER + "\",\"sub\":\"" + user + "\",\"exp\":"
                + (System.currentTimeMillis() / 1000 + 600) + "}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(EdgeStub.key.getPublicKey().getEncoded(), "HmacSHA256"));
        String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(
                mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII)));
        given().header("Authorization", bearer(header + "." + payload + "." + sig)).get("/api/v1/models")
                .then().statusCode(401).body("detail", containsString("algorithm"));
    }

    @Test
    void refusesATokenOfAnotherKey() {
        // signed by the shared test key, which this JWKS does not publish
        given().header("Authorization", bearer(TestKeys.user(UUID.randomUUID()))).get("/api/v1/models")
                .then().statusCode(401).body("detail", containsString("unknown key"));
    }

    @Test
    void acceptsANewKeyAfterRotation() throws Exception {
        RsaJsonWebKey next = EdgeStub.newKey();
        String token = EdgeStub.token(next, user, Set.of("user"), "pro", EdgeStub.ISSUER, Duration.ofMinutes(5));
        given().header("Authorization", bearer(token)).get("/api/v1/models").then().statusCode(401);
        EdgeStub.PUBLISHED.add(next);
        try {
            int fetches = EdgeStub.JWKS_FETCHES.get();
            given().header("Authorization", bearer(token)).get("/api/v1/models").then().statusCode(200);
            assertTrue(EdgeStub.JWKS_FETCHES.get() > fetches, "an unknown kid fetches the JWKS again");
            // the old key keeps verifying
            given().header("Authorization", bearer(EdgeStub.token(user, "pro"))).get("/api/v1/models")
                    .then().statusCode(200);
        } finally {
            EdgeStub.PUBLISHED.remove(next);
        }
    }

    @Test
    void neverRoutesInternalPaths() {
        String token = EdgeStub.token(user, "pro");
        given().header("Authorization", bearer(token)).post("/internal/v1/api-keys/resolve").then().statusCode(404)
                .body("code", is("NOT_FOUND"));
        given().get("/internal/v1/export").then().statusCode(404);
        given().get("/internal").then().statusCode(404);
    }

    @Test
    void publicPathsNeedNoCredential() {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/auth/login").then().statusCode(200)
                .body("uri", is("/api/v1/auth/login"));
        given().get("/api/v1/models/formats").then().statusCode(200);
        given().get("/api/v1/gpu/examples").then().statusCode(200);
        given().get("/.well-known/jwks.json").then().statusCode(200);
        given().get("/v2/health/ready").then().statusCode(200);
        given().get("/health").then().statusCode(anyOf(is(200), is(503)));
        // no limit headers on anonymous public calls
        given().get("/api/v1/models/formats").then().header("X-RateLimit-Limit", nullValue());
    }

    // --- API keys -------------------------------------------------------------------------------

    @Test
    void swapsAnApiKeyForAJwtAndCachesIt() {
        String secret = "ak_live_" + UUID.randomUUID().toString().replace("-", "");
        String keyId = UUID.randomUUID().toString();
        EdgeStub.API_KEYS.put(secret, new String[]{user, keyId, "enterprise", "false"});
        int before = EdgeStub.RESOLVES.get();
        Response r = given().header("X-API-Key", secret).get("/api/v1/models");
        r.then().statusCode(200)
                .body("headers.x-api-key", nullValue())
                .body("headers.authorization[0]", startsWith("Bearer ey"))
                .header("X-RateLimit-Limit", "10000");
        given().header("Authorization", bearer(secret)).get("/api/v1/models").then().statusCode(200)
                .header("X-RateLimit-Remaining", "9998");
        assertEquals(before + 1, EdgeStub.RESOLVES.get(), "the second call is served from the cache");
        assertEquals(EdgeStub.INTERNAL_TOKEN, EdgeStub.lastInternalToken);
    }

    @Test
    void refusesUnknownRevokedAndExpiredKeysWithinSeconds() throws Exception {
        given().header("X-API-Key", "ak_live_unknown").get("/api/v1/models").then().statusCode(401)
                .body("code", is("INVALID_API_KEY"));
        String secret = "ak_live_" + UUID.randomUUID().toString().replace("-", "");
        EdgeStub.API_KEYS.put(secret, new String[]{user, UUID.randomUUID().toString(), "pro", "false"});
        given().header("X-API-Key", secret).get("/api/v1/models").then().statusCode(200);
        EdgeStub.API_KEYS.remove(secret); // revoked (or expired): auth-service no longer resolves it
        long deadline = System.currentTimeMillis() + 3_000;
        int status;
        do {
            Thread.sleep(200);
            status = given().header("X-API-Key", secret).get("/api/v1/models").statusCode();
        } while (status == 200 && System.currentTimeMillis() < deadline);
        assertEquals(401, status, "a revoked key is refused within the cache TTL");
    }

    // --- dialects -------------------------------------------------------------------------------

    @Test
    void rewritesEachSeedPrefixAndNamesItsDialect() {
        String token = bearer(EdgeStub.token(user, "pro"));
        String[][] cases = {
                {"/api/v2/ai/llm/generate", "/api/v1/llm/generate", "aisemble"},
                {"/api/v2/ai/vision/classify", "/api/v1/vision/classify", "aisemble"},
                {"/api/v2/ai/nlp/analyze", "/api/v1/nlp/analyze", "aisemble"},
                {"/api/v2/models/m1/load", "/api/v1/models/m1/load", "aisemble"},
                {"/api/v2/jobs?state=running", "/api/v1/jobs?state=running", "aisemble"},
                {"/api/v2/auth/me", "/api/v1/auth/me", "aisemble"},
                {"/api/auth/me", "/api/v1/auth/me", "aimos"},
                {"/api/agents/a1", "/api/v1/agents/a1", "aimos"},
                {"/api/execute", "/api/v1/executions", "aimos"},
                {"/api/executions?skip=0", "/api/v1/executions?skip=0", "aimos"},
                {"/jobs/j1/status", "/api/v1/jobs/j1/status", "jobqueue"},
                {"/chat/v2/chat", "/api/v1/chat/v2/chat", "orchestra"},
                {"/api/v1/jobs", "/api/v1/jobs", "aiserve"}};
        for (String[] c : cases) {
            given().header("Authorization", token).get(c[0]).then().statusCode(200)
                    .body("uri", is(c[1])).body("headers.x-ensemble-dialect", contains(c[2]));
        }
        // seed login paths are public, like the canonical one
        given().contentType(ContentType.JSON).body("{\"username\":\"a\",\"password\":\"b\"}")
                .post("/api/v2/auth/login").then().statusCode(200).body("uri", is("/api/v1/auth/login"))
                .body("headers.x-ensemble-dialect", contains("aisemble"));
        given().contentType(ContentType.URLENC).formParam("username", "a").formParam("password", "b")
                .post("/api/auth/login").then().statusCode(200).body("uri", is("/api/v1/auth/login"))
                .body("headers.x-ensemble-dialect", contains("aimos"));
        given().contentType(ContentType.JSON).body("{}").post("/api/auth/register").then().statusCode(200)
                .body("uri", is("/api/v1/auth/register"));
    }

    @Test
    void answersTheGatewaysOwnErrorsInEachSeedsShape() {
        given().get("/api/v2/models").then().statusCode(401).contentType(startsWith("application/json"))
                .body("error.code", is("AUTHENTICATION_REQUIRED")).body("error.message", notNullValue())
                .body("error.details", notNullValue()).body("error.request_id", startsWith("req_"))
                .body("error.timestamp", notNullValue());
        given().get("/api/auth/me").then().statusCode(401).body("detail", notNullValue()).body("size()", is(2));
        given().get("/jobs").then().statusCode(401).body("error", is("Unauthorized")).body("detail", notNullValue())
                .body("status_code", is(401));
        given().post("/chat/v2/chat").then().statusCode(401).body("success", is(false)).body("data", nullValue())
                .body("error.code", is("AUTHENTICATION_ERROR"));
        given().get("/api/v1/jobs").then().statusCode(401).contentType(startsWith("application/problem+json"))
                .body("error", notNullValue()).body("code", is("AUTH_REQUIRED"));
        // OpenAI's shape on /v1, which its client libraries parse
        given().post("/v1/chat/completions").then().statusCode(401).contentType(startsWith("application/json"))
                .body("error.type", is("authentication_error")).body("error.code", is("missing_api_key"))
                .body("error.message", notNullValue()).body("error", org.hamcrest.Matchers.hasKey("param"));
        given().header("Authorization", "Bearer not.a.jwt").get("/v1/models").then().statusCode(401)
                .body("error.type", is("authentication_error")).body("error.code", is("invalid_api_key"));
        // 503 from a service that is down, on a seed path
        given().header("Authorization", bearer(EdgeStub.token(user, "pro"))).get("/api/v2/billing-test/x")
                .then().statusCode(503).body("error.code", is("SERVICE_UNAVAILABLE"));
        // 413 on a seed path
        given().header("Authorization", bearer(EdgeStub.token(user, "pro"))).contentType(ContentType.JSON)
                .body(new byte[2 * 1024 * 1024]).post("/api/v2/jobs").then().statusCode(413)
                .body("error.code", is("INVALID_REQUEST"));
    }

    @Test
    void translatesAServicesProblemIntoEachSeedsShape() {
        String token = bearer(EdgeStub.token(user, "pro"));
        given().header("Authorization", token).get("/api/v2/jobs/x/problem?status=404").then().statusCode(404)
                .header("X-Upstream", "yes")
                .body("error.code", is("RESOURCE_NOT_FOUND")).body("error.message", is("thing 42 not found"))
                .body("error.request_id", startsWith("req_"));
        given().header("Authorization", token).get("/api/agents/problem?status=400&code=VALIDATION_ERROR").then()
                .statusCode(400).body("detail", is("thing 42 not found")).body("type", is("validation_error"))
                .body("errors[0].field", is("name"));
        given().header("Authorization", token).get("/jobs/x/problem?status=404").then().statusCode(404)
                .body("error", is("Not found")).body("detail", is("thing 42 not found")).body("status_code", is(404));
        given().header("Authorization", token).get("/chat/problem?status=400&code=VALIDATION_ERROR").then()
                .statusCode(400).body("success", is(false)).body("error.code", is("VALIDATION_ERROR"))
                .body("error.details.field", is("name"));
        // AIServe.Farm: the canonical problem passes untouched ({error, code, details} members included)
        given().header("Authorization", token).get("/api/v1/jobs/problem?status=404").then().statusCode(404)
                .contentType(startsWith("application/problem+json"))
                .body("error", is("thing 42 not found")).body("code", is("NOT_FOUND"));
        // OpenAI: the service already answers in OpenAI's shape, so its error passes untouched
        given().header("Authorization", token).get("/v1/x/problem?status=404").then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("code", is("NOT_FOUND"));
        // success bodies are never touched
        given().header("Authorization", token).get("/api/v2/jobs/x").then().statusCode(200).body("method", is("GET"));
    }

    // --- rate limits ----------------------------------------------------------------------------

    @Test
    void exhaustsTheWindowThenResets() throws Exception {
        String token = bearer(EdgeStub.token(user, "tiny"));
        // windows are aligned to the clock (2 s here): start near the beginning of one
        long into = System.currentTimeMillis() % 2_000;
        if (into > 800) {
            Thread.sleep(2_000 - into + 20);
        }
        for (int i = 2; i >= 0; i--) {
            given().header("Authorization", token).get("/api/v1/models").then().statusCode(200)
                    .header("X-RateLimit-Limit", "3").header("X-RateLimit-Remaining", String.valueOf(i));
        }
        given().header("Authorization", token).get("/api/v1/models").then().statusCode(429)
                .header("Retry-After", matchesPattern("[12]")).header("X-RateLimit-Remaining", "0")
                .body("code", is("RATE_LIMITED"));
        given().header("Authorization", token).get("/api/v2/models").then().statusCode(429)
                .body("error.code", is("RATE_LIMIT_EXCEEDED"));
        given().header("Authorization", token).get("/api/agents").then().statusCode(429)
                .body("detail", is(notNullValue())).body("retry_after", greaterThan(0));
        Thread.sleep(2_100);
        given().header("Authorization", token).get("/api/v1/models").then().statusCode(200)
                .header("X-RateLimit-Remaining", "2");
        // another user has a window of their own
        given().header("Authorization", bearer(EdgeStub.token(UUID.randomUUID().toString(), "tiny")))
                .get("/api/v1/models").then().statusCode(200).header("X-RateLimit-Remaining", "2");
    }

    @Test
    void limitsBursts() {
        String token = bearer(EdgeStub.token(user, "bursty"));
        given().header("Authorization", token).get("/api/v1/models").then().statusCode(200);
        given().header("Authorization", token).get("/api/v1/models").then().statusCode(200);
        given().header("Authorization", token).get("/api/v1/models").then().statusCode(429)
                .header("Retry-After", matchesPattern("\\d+"));
    }

    @Test
    void appliesTheDefaultAndAdminPolicies() {
        given().header("Authorization", bearer(EdgeStub.token(user, null))).get("/api/v1/models").then()
                .statusCode(200).header("X-RateLimit-Limit", "100");
        given().header("Authorization", bearer(EdgeStub.token(user, "no-such-plan"))).get("/api/v1/models").then()
                .statusCode(200).header("X-RateLimit-Limit", "100");
        String admin = EdgeStub.token(EdgeStub.key, UUID.randomUUID().toString(), Set.of("user", "admin"), "free",
                EdgeStub.ISSUER, Duration.ofMinutes(5));
        given().header("Authorization", bearer(admin)).get("/api/v1/models").then().statusCode(200)
                .header("X-RateLimit-Limit", "20000");
    }

    // --- CORS -----------------------------------------------------------------------------------

    @Test
    void answersPreflightsForAllowedOrigins() {
        given().header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .options("/api/v1/models").then().statusCode(204)
                .header("Access-Control-Allow-Origin", "https://app.example.com")
                .header("Access-Control-Allow-Methods", containsString("POST"))
                .header("Access-Control-Allow-Headers", containsString("Authorization"))
                .header("Access-Control-Max-Age", "600");
        given().header("Origin", "https://evil.example.com").header("Access-Control-Request-Method", "POST")
                .options("/api/v1/models").then().statusCode(403)
                .header("Access-Control-Allow-Origin", nullValue());
        given().header("Origin", "https://app.example.com").header("Authorization", bearer(EdgeStub.token(user, "pro")))
                .get("/api/v1/models").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://app.example.com")
                .header("Access-Control-Expose-Headers", containsString("X-RateLimit-Remaining"));
    }
}
