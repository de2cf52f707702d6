package dev.ensemble.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for auth-service's side of the edge contract: the JWKS (with keys the test can add,
 * as a rotation does) and {@code POST /internal/v1/api-keys/resolve} (with keys the test can
 * revoke), both on a free loopback port, and signs tokens with its keys.
 */
public class EdgeStub implements QuarkusTestResourceLifecycleManager {

    static final String ISSUER = "https://ensemble.local/auth";
    static final String INTERNAL_TOKEN = "edge-test-internal-token";
    static final List<RsaJsonWebKey> PUBLISHED = new CopyOnWriteArrayList<>();
    static RsaJsonWebKey key;
    /** API key secret to [user id, key id, plan, admin]; absent keys are unknown. */
    static final Map<String, String[]> API_KEYS = new ConcurrentHashMap<>();
    static final AtomicInteger RESOLVES = new AtomicInteger();
    static final AtomicInteger JWKS_FETCHES = new AtomicInteger();
    static volatile String lastInternalToken;

    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        try {
            key = newKey();
            PUBLISHED.add(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        vertx = Vertx.vertx();
        int port;
        try {
            port = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        String url = "http://127.0.0.1:" + port;
        return Map.of("ensemble.gateway.auth.jwks-url", url + "/.well-known/jwks.json",
                "ensemble.gateway.auth.resolve-url", url + "/internal/v1/api-keys/resolve",
                "ensemble.gateway.auth.internal-token", INTERNAL_TOKEN);
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    static RsaJsonWebKey newKey() throws Exception {
        RsaJsonWebKey k = RsaJwkGenerator.generateJwk(2048);
        k.setKeyId("edge-" + java.util.UUID.randomUUID());
        k.setAlgorithm("RS256");
        k.setUse("sig");
        return k;
    }

    static String token(RsaJsonWebKey signer, String sub, Set<String> groups, String plan, String issuer,
                        Duration lifetime) {
        var b = Jwt.issuer(issuer).subject(sub).groups(groups).expiresAt(System.currentTimeMillis() / 1000
                + lifetime.toSeconds());
        if (plan != null) {
            b.claim("plan", plan);
        }
        return b.jws().keyId(signer.getKeyId()).algorithm(SignatureAlgorithm.RS256).sign(signer.getPrivateKey());
    }

    static String token(String sub, String plan) {
        return token(key, sub, Set.of("user"), plan, ISSUER, Duration.ofMinutes(10));
    }

    private void handle(HttpServerRequest req) {
        if (req.path().equals("/.well-known/jwks.json")) {
            JWKS_FETCHES.incrementAndGet();
            req.response().putHeader("Content-Type", "application/json")
                    .end(new JsonWebKeySet(List.<JsonWebKey>copyOf(PUBLISHED)).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            return;
        }
        if (req.path().equals("/internal/v1/api-keys/resolve") && req.method().name().equals("POST")) {
            req.body().onSuccess(body -> {
                RESOLVES.incrementAndGet();
                lastInternalToken = req.getHeader("X-Internal-Token");
                if (!INTERNAL_TOKEN.equals(lastInternalToken)) {
                    req.response().setStatusCode(404).end();
                    return;
                }
                String secret = new JsonObject(body).getString("api_key");
                String[] owner = secret == null ? null : API_KEYS.get(secret);
                if (owner == null) {
                    req.response().setStatusCode(404).putHeader("Content-Type", "application/problem+json")
                            .end("{\"status\":404,\"code\":\"NOT_FOUND\"}");
                    return;
                }
                boolean admin = "true".equals(owner[3]);
                String minted = token(key, owner[0], admin ? Set.of("user", "admin") : Set.of("user"), owner[2],
                        ISSUER, Duration.ofMinutes(5));
                req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("user_id", owner[0]).put("key_id", owner[1])
                        .put("roles", new JsonArray(admin ? List.of("user", "admin") : List.of("user")))
                        .put("plan", owner[2]).put("access_token", minted).put("token_type", "bearer")
                        .put("expires_in", 300).encode());
            });
            return;
        }
        req.response().setStatusCode(404).end();
    }
}
