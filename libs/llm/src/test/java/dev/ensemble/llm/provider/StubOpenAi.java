package dev.ensemble.llm.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ensemble.llm.wire.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An OpenAI-compatible server for tests, built from OpenAI's documented wire format
 * (https://platform.openai.com/docs/api-reference/chat): {@code POST /v1/chat/completions} and
 * {@code /v1/completions}, answered as {@code chat.completion} / {@code text_completion} objects, or
 * streamed as {@code data: {chat.completion.chunk}} events ending with {@code data: [DONE]} (the
 * role first, then content deltas, then {@code finish_reason}, then, with
 * {@code stream_options.include_usage}, a chunk with empty choices and the usage). Each request
 * takes the next scripted {@link Behaviour}, or the default one.
 */
final class StubOpenAi implements AutoCloseable {

    /** What to do with one request. */
    sealed interface Behaviour permits Answer, Fail, Hang, BreakAfter, ErrorEventAfter {
    }

    /** Answer with these content pieces (streamed with {@code gapMillis} between them). */
    record Answer(List<String> pieces, long gapMillis) implements Behaviour {
    }

    /** Answer with an HTTP error and OpenAI's error body. */
    record Fail(int status, String message, String retryAfter) implements Behaviour {
    }

    /** Send nothing for this long (before the headers, or after them when {@code afterHeaders}). */
    record Hang(long millis, boolean afterHeaders) implements Behaviour {
    }

    /** Stream {@code pieces} then end the response without finish_reason or [DONE]. */
    record BreakAfter(List<String> pieces) implements Behaviour {
    }

    /** Stream {@code pieces} then an error event. */
    record ErrorEventAfter(List<String> pieces, String message) implements Behaviour {
    }

    record Received(String path, String authorization, JsonNode body) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stub-openai");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedDeque<Behaviour> script = new ConcurrentLinkedDeque<>();
    private volatile Behaviour fallback = new Answer(List.of("Hello", " there", "!"), 0);
    final List<Received> received = new CopyOnWriteArrayList<>();

    StubOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/", this::handle);
        server.start();
    }

    /** The base URL to configure, with {@code /v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    StubOpenAi then(Behaviour... behaviours) {
        script.addAll(List.of(behaviours));
        return this;
    }

    StubOpenAi always(Behaviour b) {
        fallback = b;
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode body = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            received.add(new Received(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"), body));
            boolean chat = ex.getRequestURI().getPath().endsWith("/chat/completions");
            if (!chat && !ex.getRequestURI().getPath().endsWith("/completions")) {
                send(ex, 404, error("unknown path", "invalid_request_error", null));
                return;
            }
            Behaviour b = script.poll();
            if (b == null) {
                b = fallback;
            }
            boolean stream = body.path("stream").asBoolean(false);
            boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
            String model = body.path("model").asText();
            int promptTokens = promptTokens(body);
            if (b instanceof Fail f) {
                if (f.retryAfter() != null) {
                    ex.getResponseHeaders().add("Retry-After", f.retryAfter());
                }
                send(ex, f.status(), error(f.message(), f.status() == 429 ? "rate_limit_error" : "server_error", null));
            } else if (b instanceof Hang h) {
                if (h.afterHeaders()) {
                    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
                    ex.sendResponseHeaders(200, 0);
                    ex.getResponseBody().flush();
                }
                sleep(h.millis());
            } else if (b instanceof Answer a && !stream) {
                sleep(a.gapMillis());
                send(ex, 200, answer(chat, model, String.join("", a.pieces()), promptTokens, a.pieces().size()));
            } else if (b instanceof Answer a) {
                OutputStream out = startStream(ex);
                if (chat) {
                    event(out, chunk(model, "assistant", "", null));
                }
                for (String p : a.pieces()) {
                    sleep(a.gapMillis());
                    event(out, chat ? chunk(model, null, p, null) : textChunk(model, p, null));
                }
                event(out, chat ? chunk(model, null, null, "stop") : textChunk(model, "", "stop"));
                if (includeUsage) {
                    ObjectNode u = chat ? chunk(model, null, null, null) : textChunk(model, null, null);
                    u.set("choices", Json.MAPPER.createArrayNode());
                    u.set("usage", usage(promptTokens, a.pieces().size()));
                    event(out, u);
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            } else if (b instanceof BreakAfter br) {
                OutputStream out = startStream(ex);
                for (String p : br.pieces()) {
                    event(out, chat ? chunk(model, null, p, null) : textChunk(model, p, null));
                }
            } else if (b instanceof ErrorEventAfter ee) {
                OutputStream out = startStream(ex);
                for (String p : ee.pieces()) {
                    event(out, chat ? chunk(model, null, p, null) : textChunk(model, p, null));
                }
                event(out, error(ee.message(), "server_error", null));
            }
        } catch (IOException e) {
            // the client went away (cancel, timeout): nothing to do
        }
    }

    private static int promptTokens(JsonNode body) {
        int n = 0;
        for (JsonNode m : body.path("messages")) {
            n += m.path("content").asText().length();
        }
        return n + body.path("prompt").asText().length();
    }

    private static OutputStream startStream(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    private static void event(OutputStream out, JsonNode json) throws IOException {
        out.write(("data: " + Json.MAPPER.writeValueAsString(json) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, JsonNode json) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(json);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static ObjectNode answer(boolean chat, String model, String text, int promptTokens, int completionTokens) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", chat ? "chatcmpl-stub" : "cmpl-stub");
        o.put("object", chat ? "chat.completion" : "text_completion");
        o.put("created", 1_700_000_000L);
        o.put("model", model);
        ArrayNode choices = o.putArray("choices");
        ObjectNode c = choices.addObject();
        c.put("index", 0);
        if (chat) {
            ObjectNode m = c.putObject("message");
            m.put("role", "assistant");
            m.put("content", text);
        } else {
            c.put("text", text);
            c.putNull("logprobs");
        }
        c.put("finish_reason", "stop");
        o.set("usage", usage(promptTokens, completionTokens));
        return o;
    }

    private static ObjectNode chunk(String model, String role, String content, String finish) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", "chatcmpl-stub");
        o.put("object", "chat.completion.chunk");
        o.put("created", 1_700_000_000L);
        o.put("model", model);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        ObjectNode delta = c.putObject("delta");
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.put("content", content);
        }
        if (finish == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finish);
        }
        return o;
    }

    private static ObjectNode textChunk(String model, String text, String finish) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", "cmpl-stub");
        o.put("object", "text_completion");
        o.put("created", 1_700_000_000L);
        o.put("model", model);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("text", text);
        c.put("index", 0);
        c.putNull("logprobs");
        if (finish == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finish);
        }
        return o;
    }

    private static ObjectNode usage(int prompt, int completion) {
        ObjectNode u = Json.MAPPER.createObjectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }

    private static ObjectNode error(String message, String type, String code) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.putNull("param");
        if (code == null) {
            e.putNull("code");
        } else {
            e.put("code", code);
        }
        return o;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
