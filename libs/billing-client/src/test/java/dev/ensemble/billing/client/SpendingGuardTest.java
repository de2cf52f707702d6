package dev.ensemble.billing.client;

import com.sun.net.httpserver.HttpServer;
import dev.ensemble.web.ApiException;
import io.vertx.mutiny.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client against a stub billing answering the documented shapes. The real billing-service is
 * exercised through this client in billing-service's own tests.
 */
class SpendingGuardTest {

    static HttpServer server;
    static Vertx vertx;
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static final UUID ID = UUID.randomUUID();

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            seen.add(exchange.getRequestMethod() + " " + path + " " + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
            int status;
            String answer;
            if (path.endsWith("/reserve") && body.contains("\"amount\":\"1000\"")) {
                status = 402;
                answer = "{\"status\":402,\"code\":\"SPENDING_LIMIT\",\"detail\":\"daily limit\","
                        + "\"violations\":[{\"window\":\"daily\",\"spent\":5.00,\"limit\":10.00}]}";
            } else if (path.endsWith("/reserve") && body.contains("\"amount\":\"-1\"")) {
                status = 400;
                answer = "{\"status\":400,\"code\":\"VALIDATION_ERROR\",\"detail\":\"amount: must be positive\"}";
            } else if (path.endsWith("/reserve")) {
                status = 201;
                answer = "{\"reservation_id\":\"" + ID + "\",\"amount\":1.50,\"currency\":\"USD\",\"status\":\"held\","
                        + "\"expires_at\":\"2030-01-01T00:00:00Z\"}";
            } else if (path.endsWith("/settle")) {
                status = 200;
                answer = "{\"reservation_id\":\"" + ID + "\",\"amount\":1.20,\"currency\":\"USD\",\"status\":\"settled\"}";
            } else if (path.endsWith("/release")) {
                status = 500;
                answer = "{\"code\":\"INTERNAL_ERROR\"}";
            } else {
                status = 404;
                answer = "{}";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        vertx.closeAndAwait();
    }

    SpendingGuard guard() {
        return SpendingGuard.create(vertx, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(2));
    }

    @Test
    void reservesAndSettles() {
        Reservation r = guard().reserve("Bearer tok", new BigDecimal("1.50"), "USD", "gpu_instance", "ref-1",
                Duration.ofMinutes(15)).await().indefinitely();
        assertEquals(ID, r.reservationId());
        assertEquals(new BigDecimal("1.50"), r.amount());
        assertEquals("held", r.status());
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("POST /api/v1/guardrails/spending/reserve Bearer tok ")
                && s.contains("\"amount\":\"1.50\"") && s.contains("\"ttl_seconds\":900")
                && s.contains("\"reference_id\":\"ref-1\"")));
        Reservation settled = guard().settle("tok", ID, new BigDecimal("1.20")).await().indefinitely();
        assertEquals("settled", settled.status());
        assertEquals(new BigDecimal("1.20"), settled.amount());
    }

    @Test
    void aRefusalIsA402WithTheBillingCodeAndViolations() {
        SpendingRefused refused = assertThrows(SpendingRefused.class, () -> guard().reserve("tok",
                new BigDecimal("1000"), "USD", "chat", null, null).await().indefinitely());
        assertEquals(402, refused.status());
        assertEquals("SPENDING_LIMIT", refused.code());
        assertEquals("daily", refused.violations().get(0).get("window"));
    }

    @Test
    void otherRefusalsKeepTheirStatusAndBillingFailuresAreBadGateway() {
        ApiException bad = assertThrows(ApiException.class, () -> guard().reserve("tok", new BigDecimal("-1"),
                "USD", "chat", null, null).await().indefinitely());
        assertEquals(400, bad.status());
        assertEquals("VALIDATION_ERROR", bad.code());
        ApiException failed = assertThrows(ApiException.class, () -> guard().release("tok", ID).await().indefinitely());
        assertEquals(502, failed.status());
    }

    @Test
    void failsClosedWhenBillingIsUnreachable() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        SpendingGuard down = SpendingGuard.create(vertx, URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(1));
        ApiException e = assertThrows(ApiException.class, () -> down.reserve("tok", BigDecimal.ONE, "USD", "chat",
                "ref", null).await().indefinitely());
        assertEquals(503, e.status());
        assertEquals("SERVICE_UNAVAILABLE", e.code());
        assertInstanceOf(ApiException.class, assertThrows(ApiException.class,
                () -> down.reserve(null, BigDecimal.ONE, "USD", "chat", null, null).await().indefinitely()));
    }
}
