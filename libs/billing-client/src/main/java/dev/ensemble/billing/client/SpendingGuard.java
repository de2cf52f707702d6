package dev.ensemble.billing.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.Offload;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * Reserve-then-settle against billing-service's spending guardrails. Costly work reserves its
 * estimated cost before it starts ({@link #reserve}); a refusal fails the {@code Uni} with
 * {@link SpendingRefused} (402, {@code SPENDING_LIMIT} or {@code INSUFFICIENT_CREDITS}). After the
 * work, {@link #settle} charges the real cost, or {@link #release} drops the hold. A reservation
 * never settled expires on its own.
 *
 * <p>Calls are made with the user's own bearer token (billing checks it). Base URL:
 * {@code ensemble.billing.url}, else {@code ENSEMBLE_BILLING_URL}, else {@code http://127.0.0.1:8085};
 * timeout: {@code ensemble.billing.timeout-ms} (default 3000). Fails closed: when billing cannot
 * be reached the work is refused with 503 {@code SERVICE_UNAVAILABLE}, never let through unchecked.
 * Settle and release are idempotent and retried once on a transport failure; reserve is retried
 * only when it carries a {@code referenceId} (billing answers the same hold for the same reference).
 * Outcomes are delivered on the caller's Vert.x context (the request's, where its reactive Hibernate
 * session lives), not on the client's.
 */
@ApplicationScoped
public class SpendingGuard {

    static final String BASE = "/api/v1/guardrails/spending";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    @Inject
    Vertx vertx;

    private volatile HttpClient client;
    private URI baseUrl;
    private Duration timeout;

    /** For CDI. */
    public SpendingGuard() {
    }

    /** Outside CDI (tests, the bench): a guard on {@code vertx} talking to {@code baseUrl}. */
    public static SpendingGuard create(Vertx vertx, URI baseUrl, Duration timeout) {
        SpendingGuard guard = new SpendingGuard();
        guard.vertx = vertx;
        guard.baseUrl = baseUrl;
        guard.timeout = timeout;
        return guard;
    }

    /**
     * Holds {@code amount} of the user's spending for {@code ttl}. Completes with the reservation
     * ({@code status} {@code held}) or fails with {@link SpendingRefused} (402), or an
     * {@link ApiException} for anything else billing refused (400, 401) or could not answer (503).
     */
    public Uni<Reservation> reserve(String bearerToken, BigDecimal amount, String currency, String purpose,
                                    String referenceId, Duration ttl) {
        ObjectNode body = JSON.createObjectNode();
        body.put("amount", amount == null ? null : amount.toPlainString());
        body.put("currency", currency);
        body.put("purpose", purpose);
        if (referenceId != null) {
            body.put("reference_id", referenceId);
        }
        if (ttl != null) {
            body.put("ttl_seconds", ttl.toSeconds());
        }
        return call(bearerToken, BASE + "/reserve", body, referenceId != null).map(SpendingGuard::reservation);
    }

    /** Charges {@code amount} (the real cost) against the reservation; settling twice changes nothing. */
    public Uni<Reservation> settle(String bearerToken, UUID reservationId, BigDecimal amount) {
        ObjectNode body = JSON.createObjectNode();
        body.put("amount", amount == null ? null : amount.toPlainString());
        return call(bearerToken, BASE + "/reservations/" + reservationId + "/settle", body, true)
                .map(SpendingGuard::reservation);
    }

    /** Drops the hold without charging; releasing twice (or after expiry) changes nothing. */
    public Uni<Reservation> release(String bearerToken, UUID reservationId) {
        return call(bearerToken, BASE + "/reservations/" + reservationId + "/release", JSON.createObjectNode(), true)
                .map(SpendingGuard::reservation);
    }

    @PreDestroy
    void close() {
        HttpClient c = client;
        if (c != null) {
            c.closeAndForget();
        }
    }

    private Uni<JsonNode> call(String bearerToken, String path, ObjectNode body, boolean retryable) {
        if (bearerToken == null || bearerToken.isBlank()) {
            return Uni.createFrom().failure(new ApiException(401, ErrorCode.AUTH_REQUIRED, "authentication required"));
        }
        String token = bearerToken.regionMatches(true, 0, "Bearer ", 0, 7) ? bearerToken.substring(7).trim() : bearerToken.trim();
        Duration limit = timeout();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(baseUrl() + path)
                .putHeader("Authorization", "Bearer " + token)
                .putHeader("Content-Type", "application/json")
                .putHeader("Accept", "application/json");
        Uni<JsonNode> attempt = Uni.createFrom().deferred(() -> client().request(options)
                .chain(request -> request.send(Buffer.buffer(body.toString())))
                .chain(response -> response.body().map(buffer -> answer(response.statusCode(), buffer))))
                .ifNoItem().after(limit).failWith(() -> new TimeoutException("billing did not answer within " + limit));
        if (retryable) {
            attempt = attempt.onFailure(SpendingGuard::transport).retry().atMost(1);
        }
        return Offload.onCaller(attempt.onFailure(SpendingGuard::transport).transform(e -> new ApiException(503,
                ErrorCode.SERVICE_UNAVAILABLE, "billing is unavailable: " + describe(e))));
    }

    private static boolean transport(Throwable e) {
        return !(e instanceof ApiException);
    }

    private static String describe(Throwable e) {
        return e instanceof TimeoutException ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static JsonNode answer(int status, Buffer buffer) {
        JsonNode json;
        try {
            json = buffer.length() == 0 ? JSON.createObjectNode() : JSON.readTree(buffer.getBytes());
        } catch (java.io.IOException e) {
            json = JSON.createObjectNode();
        }
        if (status >= 200 && status < 300) {
            return json;
        }
        String code = json.path("code").asText(ErrorCode.forStatus(status));
        String detail = json.path("detail").asText(json.path("error").asText("billing answered " + status));
        if (status == 402) {
            List<Map<String, Object>> violations = new ArrayList<>();
            JsonNode v = json.path("violations");
            if (v.isMissingNode() || v.isNull()) {
                v = json.path("details").path("violations");
            }
            if (v.isArray()) {
                for (JsonNode node : v) {
                    violations.add(JSON.convertValue(node, Map.class));
                }
            }
            throw new SpendingRefused(code, detail, violations);
        }
        if (status >= 500) {
            throw new ApiException(502, ErrorCode.BAD_GATEWAY, "billing failed: " + detail);
        }
        throw new ApiException(status, code, detail);
    }

    private static Reservation reservation(JsonNode json) {
        String id = json.path("reservation_id").asText(null);
        String expires = json.path("expires_at").asText(null);
        JsonNode amount = json.path("amount");
        return new Reservation(id == null ? null : UUID.fromString(id),
                amount.isMissingNode() || amount.isNull() ? null : new BigDecimal(amount.asText()),
                json.path("currency").asText(null), json.path("status").asText(null),
                expires == null ? null : Instant.parse(expires));
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = vertx.createHttpClient(new HttpClientOptions()
                            .setKeepAlive(true)
                            .setMaxPoolSize(64)
                            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout().toMillis())));
                    client = c;
                }
            }
        }
        return c;
    }

    private URI baseUrl() {
        if (baseUrl == null) {
            var config = ConfigProvider.getConfig();
            String url = config.getOptionalValue("ensemble.billing.url", String.class)
                    .orElseGet(() -> {
                        String env = System.getenv("ENSEMBLE_BILLING_URL");
                        return env == null || env.isBlank() ? "http://127.0.0.1:8085" : env;
                    });
            baseUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        }
        return baseUrl;
    }

    private Duration timeout() {
        if (timeout == null) {
            timeout = Duration.ofMillis(ConfigProvider.getConfig()
                    .getOptionalValue("ensemble.billing.timeout-ms", Long.class).orElse(3000L));
        }
        return timeout;
    }
}
