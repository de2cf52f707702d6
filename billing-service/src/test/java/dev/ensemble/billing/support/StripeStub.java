package dev.ensemble.billing.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.LinkedHashMap;

/**
 * A stand-in for Stripe's API built from its documentation: {@code POST /v1/payment_intents}
 * (form-encoded, {@code Authorization: Bearer sk_...}, {@code Idempotency-Key} replays the first
 * answer), with the test card tokens behaving as Stripe's do: {@code tok_visa} succeeds,
 * {@code tok_chargeDeclined} is declined (402 card_error), {@code tok_threeDSecure2Required}
 * needs the customer's action. Started once for the test JVM; billing is pointed at it.
 */
public class StripeStub implements QuarkusTestResourceLifecycleManager {

    public static final String SECRET_KEY = "sk_test_ensemble_" + UUID.randomUUID().toString().replace("-", "");
    public static final String WEBHOOK_SECRET = "whsec_" + UUID.randomUUID().toString().replace("-", "");

    /** Every request received: its headers of interest and its decoded form. */
    public record Received(String authorization, String idempotencyKey, String contentType, Map<String, String> form) {
    }

    public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final Map<String, String[]> BY_KEY = new ConcurrentHashMap<>();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static HttpServer server;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (server == null) {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                server.createContext("/v1/payment_intents", StripeStub::paymentIntents);
                server.start();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                "ensemble.billing.stripe.base-url", "http://127.0.0.1:" + server.getAddress().getPort(),
                "ensemble.billing.stripe.secret-key", SECRET_KEY,
                "ensemble.billing.stripe.webhook-secret", WEBHOOK_SECRET);
    }

    @Override
    public void stop() {
        // lives as long as the test JVM
    }

    public static List<Received> forPayment(String paymentId) {
        return RECEIVED.stream().filter(r -> paymentId.equals(r.form().get("metadata[payment_id]"))).toList();
    }

    private static void paymentIntents(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        RECEIVED.add(new Received(auth, key, exchange.getRequestHeaders().getFirst("Content-Type"), form));
        if (!"POST".equals(exchange.getRequestMethod())) {
            send(exchange, 405, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Unrecognized request URL (GET: /v1/payment_intents).\"}}");
            return;
        }
        if (!("Bearer " + SECRET_KEY).equals(auth)) {
            send(exchange, 401, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid API Key provided\"}}");
            return;
        }
        if (key != null && BY_KEY.containsKey(key)) {
            String[] replay = BY_KEY.get(key);
            exchange.getResponseHeaders().add("Idempotent-Replayed", "true");
            send(exchange, Integer.parseInt(replay[0]), replay[1]);
            return;
        }
        String id = "pi_" + String.format("%024d", SEQ.incrementAndGet());
        String token = form.getOrDefault("payment_method_data[card][token]", "");
        String amount = form.get("amount");
        String currency = form.get("currency");
        String metadata = "{\"payment_id\":\"" + form.get("metadata[payment_id]") + "\",\"user_id\":\""
                + form.get("metadata[user_id]") + "\"}";
        int status;
        String answer;
        if (amount == null || currency == null || !amount.matches("[0-9]+")) {
            status = 400;
            answer = "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"parameter_missing\",\"message\":\"Missing required param: amount.\",\"param\":\"amount\"}}";
        } else if ("tok_chargeDeclined".equals(token)) {
            status = 402;
            answer = "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":\"generic_decline\","
                    + "\"doc_url\":\"https://stripe.com/docs/error-codes/card-declined\",\"message\":\"Your card was declined.\","
                    + "\"payment_intent\":" + intent(id, amount, currency, "requires_payment_method", metadata) + "}}";
        } else if ("tok_threeDSecure2Required".equals(token)) {
            status = 200;
            answer = intent(id, amount, currency, "requires_action", metadata);
        } else {
            status = 200;
            answer = intent(id, amount, currency, "succeeded", metadata);
        }
        if (key != null) {
            BY_KEY.put(key, new String[]{String.valueOf(status), answer});
        }
        send(exchange, status, answer);
    }

    /** A PaymentIntent object as Stripe documents it (the fields billing reads, and a few more). */
    public static String intent(String id, String amount, String currency, String status, String metadata) {
        return "{\"id\":\"" + id + "\",\"object\":\"payment_intent\",\"amount\":" + amount + ",\"amount_received\":"
                + ("succeeded".equals(status) ? amount : "0") + ",\"currency\":\"" + currency + "\",\"status\":\"" + status
                + "\",\"client_secret\":\"" + id + "_secret_test\",\"capture_method\":\"automatic\","
                + "\"confirmation_method\":\"automatic\",\"livemode\":false,\"created\":" + (System.currentTimeMillis() / 1000)
                + ",\"metadata\":" + metadata + ",\"payment_method_types\":[\"card\"]}";
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Request-Id", "req_" + SEQ.incrementAndGet());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
