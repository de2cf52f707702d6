package dev.ensemble.billing.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.billing.config.BillingConfig;
import dev.ensemble.billing.money.Money;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
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
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Stripe through its HTTP API: a confirmed PaymentIntent ({@code POST /v1/payment_intents},
 * form-encoded, {@code Authorization: Bearer <secret key>}, {@code Idempotency-Key} = our payment
 * id so a retry never charges twice). The base URL is configurable, which is how tests point it at
 * a stub built from Stripe's documented requests and responses.
 */
@ApplicationScoped
public class StripeProvider implements PaymentProvider {

    public static final String NAME = "stripe";
    private static final Logger LOG = Logger.getLogger(StripeProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    BillingConfig config;

    @Inject
    Vertx vertx;

    private volatile HttpClient client;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Uni<Outcome> charge(Charge charge) {
        String key = config.stripe().secretKey().filter(k -> !k.isBlank()).orElse(null);
        if (key == null) {
            return Uni.createFrom().failure(new ApiException(503, ErrorCode.SERVICE_UNAVAILABLE,
                    "the stripe provider is not configured (ensemble.billing.stripe.secret-key)"));
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("amount", minorUnits(charge.amount(), charge.currency()));
        form.put("currency", charge.currency().toLowerCase(Locale.ROOT));
        form.put("confirm", "true");
        form.put("payment_method_types[]", "card");
        if (charge.paymentMethod() != null) {
            form.put("payment_method", charge.paymentMethod());
        } else if (charge.cardToken() != null) {
            form.put("payment_method_data[type]", "card");
            form.put("payment_method_data[card][token]", charge.cardToken());
        } else {
            return Uni.createFrom().failure(ApiException.badRequest("payment_preference.card_token",
                    "a card token (or payment_method) is required for stripe"));
        }
        form.put("description", "Ensemble credit");
        form.put("metadata[payment_id]", charge.paymentId().toString());
        form.put("metadata[user_id]", charge.userId().toString());
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        String base = config.stripe().baseUrl().replaceAll("/+$", "");
        Duration timeout = Duration.ofMillis(config.stripe().timeoutMs());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(base + "/v1/payment_intents")
                .putHeader("Authorization", "Bearer " + key)
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .putHeader("Idempotency-Key", charge.paymentId().toString())
                .putHeader("Accept", "application/json");
        return Uni.createFrom().deferred(() -> client().request(options)
                        .chain(request -> request.send(Buffer.buffer(body.toString())))
                        .chain(response -> response.body().map(b -> outcome(response.statusCode(), b))))
                .ifNoItem().after(timeout).fail()
                .onFailure(e -> !(e instanceof ApiException)).transform(e -> {
                    LOG.warnf("stripe unreachable: %s", e.toString());
                    return new ApiException(503, ErrorCode.SERVICE_UNAVAILABLE,
                            "the payment provider is unavailable; retry with the same Idempotency-Key");
                });
    }

    static String minorUnits(BigDecimal amount, String currency) {
        return amount.movePointRight(Money.minorDigits(currency)).toBigIntegerExact().toString();
    }

    private static Outcome outcome(int status, Buffer body) {
        JsonNode json;
        try {
            json = JSON.readTree(body.getBytes());
        } catch (Exception e) {
            throw new ApiException(502, ErrorCode.BAD_GATEWAY, "the payment provider answered " + status + " without JSON");
        }
        if (status == 200) {
            String id = json.path("id").asText(null);
            return switch (json.path("status").asText("")) {
                case "succeeded" -> Outcome.succeeded(id);
                case "processing", "requires_action", "requires_confirmation", "requires_capture" ->
                        new Outcome("pending", id, json.path("client_secret").asText(null), null, null);
                default -> Outcome.failed(id, json.path("last_payment_error").path("code").asText("payment_failed"),
                        json.path("last_payment_error").path("message").asText("the payment did not complete"));
            };
        }
        JsonNode error = json.path("error");
        String type = error.path("type").asText("");
        if (status == 402 || "card_error".equals(type) || status == 400 || status == 404) {
            // Declined or invalid payment details: a failed payment, not a failure of ours.
            String reference = error.path("payment_intent").path("id").asText(null);
            String code = error.path("decline_code").asText(error.path("code").asText("payment_failed"));
            return Outcome.failed(reference, code, error.path("message").asText("the payment was declined"));
        }
        LOG.warnf("stripe answered %d: %s", status, type);
        if (status == 401 || status == 403) {
            throw new ApiException(503, ErrorCode.SERVICE_UNAVAILABLE, "the payment provider refused our credentials");
        }
        throw new ApiException(503, ErrorCode.SERVICE_UNAVAILABLE,
                "the payment provider failed (" + status + "); retry with the same Idempotency-Key");
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(16)
                            .setConnectTimeout((int) config.stripe().timeoutMs()));
                }
                c = client;
            }
        }
        return c;
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.closeAndForget();
        }
    }
}
