package dev.ensemble.inference.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upstream OpenAI-compatible servers for the tests, on the JDK's HttpServer, answering in OpenAI's
 * documented shapes ({@code chat.completion}, SSE {@code chat.completion.chunk} events and
 * {@code data: [DONE]}). Two providers on one port: {@code /flaky/v1} fails (503) or stalls, and
 * {@code /ok/v1} answers, except for {@code broken-model}, whose stream breaks after three tokens.
 * Registered for the whole module (one Quarkus boot for every test class).
 */
public class UpstreamStub implements QuarkusTestResourceLifecycleManager {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Requests per "base/model". */
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    static final String[] TOKENS = {"Hello", " from", " the", " stub", " provider", "."};

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/flaky/v1/chat/completions", ex -> flaky(ex));
        server.createContext("/ok/v1/chat/completions", ex -> ok(ex));
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.ofEntries(
                Map.entry("llm.providers.1-flaky.base-url", base + "/flaky/v1"),
                Map.entry("llm.providers.1-flaky.models", "failover-model,slow-model"),
                Map.entry("llm.providers.1-flaky.max-retries", "0"),
                Map.entry("llm.providers.1-flaky.first-token-timeout", "1s"),
                Map.entry("llm.providers.1-flaky.total-timeout", "5s"),
                Map.entry("llm.providers.2-ok.base-url", base + "/ok/v1"),
                Map.entry("llm.providers.2-ok.api-key", "sk-test-stub"),
                Map.entry("llm.providers.2-ok.models", "failover-model,stub-model,broken-model"),
                Map.entry("llm.providers.2-ok.max-retries", "0"));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static int calls(String key) {
        AtomicInteger n = CALLS.get(key);
        return n == null ? 0 : n.get();
    }

    private static JsonNode body(HttpExchange ex) throws IOException {
        return JSON.readTree(ex.getRequestBody().readAllBytes());
    }

    private static void flaky(HttpExchange ex) throws IOException {
        JsonNode req = body(ex);
        String model = req.path("model").asText();
        CALLS.computeIfAbsent("flaky/" + model, k -> new AtomicInteger()).incrementAndGet();
        if ("slow-model".equals(model)) {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] b = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(503, b.length);
            ex.getResponseBody().write(b);
        } catch (IOException ignored) {
            // the client gave up (timeout)
        }
        ex.close();
    }

    private static void ok(HttpExchange ex) throws IOException {
        if (!"Bearer sk-test-stub".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.sendResponseHeaders(401, -1);
            ex.close();
            return;
        }
        JsonNode req = body(ex);
        String model = req.path("model").asText();
        CALLS.computeIfAbsent("ok/" + model, k -> new AtomicInteger()).incrementAndGet();
        boolean stream = req.path("stream").asBoolean(false);
        String id = "chatcmpl-stub" + System.nanoTime();
        if (!stream) {
            String content = String.join("", TOKENS);
            String b = "{\"id\":\"" + id + "\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + model
                    + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
                    + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":6,\"total_tokens\":13}}";
            byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        try {
            event(out, chunk(id, model, "{\"role\":\"assistant\",\"content\":\"\"}", null));
            int n = "broken-model".equals(model) ? 3 : TOKENS.length;
            for (int i = 0; i < n; i++) {
                event(out, chunk(id, model, "{\"content\":" + JSON.writeValueAsString(TOKENS[i]) + "}", null));
                Thread.sleep(20);
            }
            if ("broken-model".equals(model)) {
                out.flush();
                // the connection breaks mid-stream: no finish, no [DONE]
                ex.getHttpContext().getServer();
                throw new IOException("simulated break");
            }
            event(out, chunk(id, model, "{}", "\"stop\""));
            event(out, "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                    + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":" + n + ",\"total_tokens\":" + (7 + n) + "}}");
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            ex.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // abort the exchange without a proper end of the chunked body
            try {
                ex.getResponseBody().close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    private static String chunk(String id, String model, String delta, String finish) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}";
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
