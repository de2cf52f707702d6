package dev.ensemble.job.guardrails;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stub of billing-service's spending guardrails, built from its documented API
 * (billing-service/README.md): {@code POST /api/v1/guardrails/spending/reserve} answers 201 with a
 * held reservation ({@code 200} with the same one for a {@code reference_id} already held), or 402
 * problem+json {@code SPENDING_LIMIT} with {@code violations} when the amount is over {@link #LIMIT}
 * (a daily window's limit, per call); {@code .../reservations/{id}/release} answers the released
 * reservation. A {@code reference_id} containing {@code billing-down} gets its connection closed
 * without an answer (billing unreachable). Every request is recorded, and {@code GET /stub/requests}
 * lists them ({@code method}, {@code path}, {@code authorization}, {@code body}) for the test to check.
 * Runs on a free loopback port, which it gives the service as {@code ensemble.billing.url}.
 */
public class StubBilling implements QuarkusTestResourceLifecycleManager {

    static final BigDecimal LIMIT = new BigDecimal("0.05");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "/api/v1/guardrails/spending";

    private HttpServer server;
    private final ArrayNode seen = JSON.createArrayNode();
    private final Map<String, String> byReference = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.start();
        return Map.of("ensemble.billing.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        byte[] raw = exchange.getRequestBody().readAllBytes();
        if ("GET".equals(method) && "/stub/requests".equals(path)) {
            synchronized (seen) {
                respond(exchange, 200, seen);
            }
            return;
        }
        JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
        ObjectNode record = JSON.createObjectNode();
        record.put("method", method);
        record.put("path", path);
        record.put("authorization", exchange.getRequestHeaders().getFirst("Authorization"));
        record.set("body", body);
        synchronized (seen) {
            seen.add(record);
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || auth.length() < 20) {
            respond(exchange, 401, problem(401, "AUTH_REQUIRED", "authentication required"));
            return;
        }
        if ("POST".equals(method) && path.equals(BASE + "/reserve")) {
            reserve(exchange, body);
        } else if ("POST".equals(method) && path.startsWith(BASE + "/reservations/") && path.endsWith("/release")) {
            String id = path.substring((BASE + "/reservations/").length(), path.length() - "/release".length());
            ObjectNode r = JSON.createObjectNode();
            r.put("reservation_id", id);
            r.put("status", "released");
            respond(exchange, 200, r);
        } else {
            respond(exchange, 404, problem(404, "NOT_FOUND", "no such resource"));
        }
    }

    private void reserve(HttpExchange exchange, JsonNode body) throws IOException {
        String reference = body.path("reference_id").asText(null);
        if (reference != null && reference.contains("billing-down")) {
            exchange.close(); // no answer at all: the connection is dropped
            return;
        }
        BigDecimal amount = new BigDecimal(body.path("amount").asText("0"));
        if (amount.signum() <= 0 || !body.hasNonNull("purpose") || !body.hasNonNull("ttl_seconds")) {
            respond(exchange, 400, problem(400, "VALIDATION_ERROR", "amount, purpose and ttl_seconds are expected"));
            return;
        }
        if (amount.compareTo(LIMIT) > 0) {
            ObjectNode p = problem(402, "SPENDING_LIMIT", "spending limit of the daily window would be exceeded ("
                    + amount.toPlainString() + " > " + LIMIT.toPlainString() + " USD)");
            p.put("allowed", false);
            ObjectNode v = p.putArray("violations").addObject();
            v.put("window", "daily");
            v.put("spent", amount);
            v.put("limit", LIMIT);
            v.put("current", BigDecimal.ZERO);
            v.put("requested", amount);
            p.put("spent", BigDecimal.ZERO);
            p.put("currency", "USD");
            respond(exchange, 402, p);
            return;
        }
        boolean existing = reference != null && byReference.containsKey(reference);
        String id = reference == null ? UUID.randomUUID().toString()
                : byReference.computeIfAbsent(reference, r -> UUID.randomUUID().toString());
        ObjectNode r = JSON.createObjectNode();
        r.put("reservation_id", id);
        r.put("amount", amount);
        r.put("currency", "USD");
        r.put("status", "held");
        r.put("purpose", body.path("purpose").asText());
        r.put("reference_id", reference);
        r.put("expires_at", Instant.now().plusSeconds(body.path("ttl_seconds").asLong()).toString());
        respond(exchange, existing ? 200 : 201, r);
    }

    private static ObjectNode problem(int status, String code, String detail) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "about:blank");
        p.put("title", status == 402 ? "Payment Required" : "Error");
        p.put("status", status);
        p.put("code", code);
        p.put("detail", detail);
        return p;
    }

    private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
