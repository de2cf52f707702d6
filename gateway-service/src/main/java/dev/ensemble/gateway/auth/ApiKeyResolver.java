package dev.ensemble.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an API key into its owner and a short-lived access token, through auth-service's
 * {@code POST /internal/v1/api-keys/resolve} (authenticated with the internal token). Answers are
 * reused for {@code api-key-cache-ttl} (a revoked key stops working within that time), refusals
 * for {@code api-key-negative-ttl}; concurrent lookups of one key share one call.
 */
@Singleton
public class ApiKeyResolver {

    private static final Logger LOG = Logger.getLogger(ApiKeyResolver.class);
    private static final int CACHE_MAX = 20_000;
    static final String PATH = "/internal/v1/api-keys/resolve";

    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    private record Entry(Principal principal, AuthFailure failure, long until) {
    }

    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Map<String, Future<Principal>> pending = new ConcurrentHashMap<>();
    private HttpClient client;
    private String resolveUrl;
    private long ttl;
    private long negativeTtl;

    @PostConstruct
    void init() {
        var auth = config.services().get("auth");
        resolveUrl = config.auth().resolveUrl().orElseGet(() ->
                (auth == null ? "http://127.0.0.1:8081" : auth.url()).replaceAll("/$", "") + PATH);
        ttl = config.auth().apiKeyCacheTtl().toMillis();
        negativeTtl = config.auth().apiKeyNegativeTtl().toMillis();
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setName("gateway-api-keys")
                .setConnectTimeout((int) config.connectTimeout().toMillis()));
    }

    void stop(@Observes ShutdownEvent event) {
        client.close();
    }

    /** The owner of {@code apiKey}, or a failed future with an {@link AuthFailure}. */
    public Future<Principal> resolve(String apiKey) {
        long now = System.currentTimeMillis();
        Entry e = cache.get(apiKey);
        if (e != null) {
            if (e.until > now) {
                return e.principal != null ? Future.succeededFuture(e.principal) : Future.failedFuture(e.failure);
            }
            cache.remove(apiKey);
        }
        return pending.computeIfAbsent(apiKey, this::call);
    }

    private Future<Principal> call(String apiKey) {
        Promise<Principal> promise = Promise.promise();
        byte[] body;
        try {
            body = json.writeValueAsBytes(Map.of("api_key", apiKey));
        } catch (Exception ex) {
            return Future.failedFuture(ex);
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(resolveUrl)
                .setTimeout(config.auth().resolveTimeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Internal-Token", config.auth().internalToken().orElse(""));
        client.request(options)
                .compose(req -> req.send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(b -> Map.entry(resp.statusCode(), b)))
                .onComplete(ar -> {
                    pending.remove(apiKey);
                    long now = System.currentTimeMillis();
                    if (ar.failed()) {
                        LOG.warnf("cannot resolve an API key: %s", ar.cause().getMessage());
                        promise.fail(new AuthFailure(503, "SERVICE_UNAVAILABLE", "authentication is unavailable"));
                        return;
                    }
                    int status = ar.result().getKey();
                    if (status == 200) {
                        try {
                            Principal p = principal(ar.result().getValue());
                            put(apiKey, new Entry(p, null, Math.min(now + ttl, p.expiresAtMillis() - 30_000)));
                            promise.complete(p);
                        } catch (Exception ex) {
                            LOG.warnf("auth-service answered an unreadable API key resolution: %s", ex.getMessage());
                            promise.fail(new AuthFailure(503, "SERVICE_UNAVAILABLE", "authentication is unavailable"));
                        }
                    } else if (status == 404 || status == 401 || status == 400) {
                        AuthFailure f = new AuthFailure(401, "INVALID_API_KEY", "API key is invalid, expired or revoked");
                        put(apiKey, new Entry(null, f, now + negativeTtl));
                        promise.fail(f);
                    } else {
                        LOG.warnf("auth-service answered %d to an API key resolution", status);
                        promise.fail(new AuthFailure(503, "SERVICE_UNAVAILABLE", "authentication is unavailable"));
                    }
                });
        return promise.future();
    }

    private void put(String apiKey, Entry entry) {
        if (cache.size() >= CACHE_MAX) {
            cache.clear();
        }
        cache.put(apiKey, entry);
    }

    private Principal principal(Buffer body) throws Exception {
        JsonNode n = json.readTree(body.getBytes());
        String userId = n.path("user_id").asText(null);
        String token = n.path("access_token").asText(null);
        if (userId == null || token == null) {
            throw new IllegalArgumentException("user_id or access_token missing");
        }
        boolean admin = false;
        for (JsonNode r : n.path("roles")) {
            if ("admin".equals(r.asText())) {
                admin = true;
            }
        }
        long expires = System.currentTimeMillis() + n.path("expires_in").asLong(300) * 1000;
        String keyId = n.path("key_id").asText(userId);
        return new Principal(userId, admin, n.path("plan").asText(null), "k:" + keyId, token, true, expires);
    }

    /** Forgets every cached answer (tests). */
    public void clear() {
        cache.clear();
    }
}
