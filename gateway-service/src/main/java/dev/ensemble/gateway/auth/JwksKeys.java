package dev.ensemble.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * auth-service's public signing keys by kid, fetched from its JWKS without blocking: at start-up,
 * every {@code jwks-refresh}, and when a token names a kid that is not known yet (a key rotation),
 * at most once per {@code jwks-min-refresh} so forged kids cannot flood auth-service.
 */
@Singleton
public class JwksKeys {

    private static final Logger LOG = Logger.getLogger(JwksKeys.class);

    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    ObjectMapper json;

    private volatile Map<String, PublicKey> keys = Map.of();
    private HttpClient client;
    private String url;
    private volatile long lastFetch;
    private volatile long lastWarning;
    private Future<Void> inFlight;
    private long timer = -1;

    void start(@Observes StartupEvent event) {
        if (!config.auth().enabled()) {
            return;
        }
        url = config.auth().jwksUrl().orElseGet(() -> {
            var auth = config.services().get("auth");
            return (auth == null ? "http://127.0.0.1:8081" : auth.url().replaceAll("/$", "")) + "/.well-known/jwks.json";
        });
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000).setKeepAlive(true)
                .setName("gateway-jwks"));
        refresh();
        timer = vertx.setPeriodic(config.auth().jwksRefresh().toMillis(), id -> refresh());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (client != null) {
            client.close();
        }
    }

    /** The key with this kid, or null. */
    public PublicKey key(String kid) {
        return keys.get(kid);
    }

    /** The only key when exactly one is published (tokens without a kid), else null. */
    public PublicKey onlyKey() {
        Map<String, PublicKey> k = keys;
        return k.size() == 1 ? k.values().iterator().next() : null;
    }

    /**
     * Fetches again because a token named an unknown kid; completes at once (without fetching)
     * when the last fetch was too recent.
     */
    public synchronized Future<Void> refreshForUnknownKid() {
        if (inFlight != null) {
            return inFlight;
        }
        if (System.currentTimeMillis() - lastFetch < config.auth().jwksMinRefresh().toMillis()) {
            return Future.succeededFuture();
        }
        return refresh();
    }

    synchronized Future<Void> refresh() {
        if (inFlight != null) {
            return inFlight;
        }
        lastFetch = System.currentTimeMillis();
        Promise<Void> done = Promise.promise();
        inFlight = done.future();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setTimeout(5000);
        client.request(options)
                .compose(req -> req.send().compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : Future.failedFuture("JWKS answered " + resp.statusCode())))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        try {
                            keys = parse(ar.result().getBytes());
                        } catch (Exception e) {
                            LOG.warnf("cannot read the JWKS at %s: %s", url, e.getMessage());
                        }
                    } else {
                        // auth-service starting after the gateway is normal: say so now and then, not every second
                        long now = System.currentTimeMillis();
                        if (now - lastWarning > 30_000) {
                            lastWarning = now;
                            LOG.warnf("cannot fetch the JWKS at %s: %s (retrying)", url, ar.cause().getMessage());
                        }
                        lastFetch = 0;
                        if (keys.isEmpty()) {
                            vertx.setTimer(1000, id -> refresh());
                        }
                    }
                    synchronized (this) {
                        inFlight = null;
                    }
                    done.complete();
                });
        return done.future();
    }

    /** The RSA signing keys of a JWKS document; other key types are ignored. */
    Map<String, PublicKey> parse(byte[] body) throws Exception {
        Map<String, PublicKey> parsed = new HashMap<>();
        KeyFactory factory = KeyFactory.getInstance("RSA");
        Base64.Decoder b64 = Base64.getUrlDecoder();
        for (JsonNode k : json.readTree(body).path("keys")) {
            if (!"RSA".equals(k.path("kty").asText()) || (k.has("use") && !"sig".equals(k.path("use").asText()))) {
                continue;
            }
            String kid = k.path("kid").asText("");
            BigInteger n = new BigInteger(1, b64.decode(k.path("n").asText()));
            BigInteger e = new BigInteger(1, b64.decode(k.path("e").asText()));
            parsed.put(kid, factory.generatePublic(new RSAPublicKeySpec(n, e)));
        }
        LOG.debugf("JWKS: %s", parsed.keySet());
        return Map.copyOf(parsed);
    }

    /** For tests: use these keys (and fetch nothing). */
    public void replace(Map<String, PublicKey> replacement) {
        keys = Map.copyOf(replacement);
    }
}
