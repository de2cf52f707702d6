package dev.ensemble.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Language models and chat through the gateway only: the OpenAI API streamed over SSE from the
 * bundled model (tokens arriving one by one), Ai-semble's generate, AI Orchestra's
 * {@code /chat/v2/chat} with session memory, and its WebSocket streaming token by token.
 */
class ChatIT extends SystemTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "ensemble-fables-lstm";
    final HttpClient http = HttpClient.newHttpClient();

    /** The first start of the suite trains the bundled model: wait until the catalogue lists it as available. */
    private static void awaitModel(String token) {
        await("the bundled language model").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> gateway().header("Authorization", "Bearer " + token).get("/v1/models")
                        .then().statusCode(200).body("data.id", hasItem(MODEL)));
    }

    @Test
    void streamsAChatCompletionOverSseThroughTheGateway() throws Exception {
        String email = uniqueEmail("chat-sse");
        register(email, "Chat SSE");
        String token = login(email);
        awaitModel(token);

        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],"
                + "\"max_tokens\":120,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(suite().gatewayUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertTrue(r.headers().firstValue("x-ratelimit-limit").isPresent(), "no x-ratelimit-limit header");
        List<String> data = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("data:")) {
                    data.add(line.substring(5).strip());
                    arrivals.add(System.nanoTime());
                }
            }
        }
        assertEquals("[DONE]", data.get(data.size() - 1));
        JsonNode first = JSON.readTree(data.get(0));
        assertEquals("chat.completion.chunk", first.get("object").asText());
        JsonNode usage = JSON.readTree(data.get(data.size() - 2)).get("usage");
        assertTrue(usage.get("completion_tokens").asInt() > 0);
        if (data.size() > 8) {
            assertTrue(arrivals.get(data.size() - 3) - arrivals.get(1) > 5_000_000L, "the tokens arrived all at once");
        }

        gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("prompt", "The fox", "max_tokens", 20)).post("/api/v2/ai/llm/generate")
                .then().statusCode(200).body("generated_text", notNullValue()).body("metadata.tokens_used", equalTo(27))
                .body("status", equalTo("completed"));
        gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("model", "no-such-model", "messages", List.of(Map.of("role", "user", "content", "x"))))
                .post("/v1/chat/completions").then().statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void orchestraChatKeepsSessionMemory() {
        String email = uniqueEmail("chat-orchestra");
        register(email, "Chat Orchestra");
        String token = login(email);
        awaitModel(token);
        String session = "it-session-" + UUID.randomUUID();
        gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("message", "Hello there", "session_id", session, "optimization_mode", "lite", "use_memory", true))
                .post("/chat/v2/chat").then().statusCode(200).body("success", equalTo(true))
                .body("data.session_id", equalTo(session)).body("data.metadata.tokens_used", greaterThan(0));
        gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("text", "And again", "sessionId", session)).post("/chat/v1/chat")
                .then().statusCode(200).body("success", equalTo(true));
        gateway().header("Authorization", "Bearer " + token).get("/api/v1/chat/sessions/" + session)
                .then().statusCode(200).body("data.message_count", equalTo(4));
        // another user's session does not exist for them; errors come in Orchestra's envelope
        String other = uniqueEmail("chat-other");
        register(other, "Other");
        gateway().header("Authorization", "Bearer " + login(other)).contentType(ContentType.JSON)
                .body(Map.of("message", "hi", "session_id", session)).post("/chat/v2/chat")
                .then().statusCode(404).body("success", equalTo(false));
        gateway().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body(Map.of("message", "")).post("/chat/v2/chat")
                .then().statusCode(400).body("success", equalTo(false)).body("error.code", equalTo("VALIDATION_ERROR"));
    }

    @Test
    void webSocketStreamsTokensThroughTheGateway() throws Exception {
        String email = uniqueEmail("chat-ws");
        register(email, "Chat WS");
        String token = login(email);
        awaitModel(token);
        BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence text, boolean last) {
                partial.append(text);
                if (last) {
                    try {
                        messages.add(JSON.readTree(partial.toString()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    partial.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
        String ws = suite().gatewayUrl().replaceFirst("^http", "ws") + "/chat/ws/it-client/it-ws-" + UUID.randomUUID();
        // browsers cannot set headers: the token travels as a query parameter
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(ws + "?access_token=" + token), listener)
                .get(30, TimeUnit.SECONDS);
        JsonNode hello = messages.poll(30, TimeUnit.SECONDS);
        assertNotNull(hello);
        assertEquals("connected", hello.at("/data/action").asText());
        socket.sendText("{\"type\":\"control\",\"data\":{\"action\":\"ping\"}}", true).join();
        assertEquals("pong", messages.poll(30, TimeUnit.SECONDS).at("/data/action").asText());
        socket.sendText("{\"type\":\"chat\",\"data\":{\"message\":\"Tell me about the moon.\"}}", true).join();
        int tokens = 0;
        StringBuilder text = new StringBuilder();
        JsonNode done = null;
        while (done == null) {
            JsonNode m = messages.poll(60, TimeUnit.SECONDS);
            assertNotNull(m, "no answer");
            switch (m.get("type").asText()) {
                case "stream" -> {
                    tokens++;
                    text.append(m.at("/data/token").asText());
                }
                case "chat" -> done = m;
                default -> throw new AssertionError("unexpected " + m);
            }
        }
        assertTrue(tokens > 0);
        assertEquals(text.toString(), done.at("/data/response").asText());
        socket.sendText("{oops", true).join();
        assertEquals("error", messages.poll(30, TimeUnit.SECONDS).get("type").asText());
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

        // no credential: the gateway refuses the upgrade
        Exception refused = null;
        try {
            http.newWebSocketBuilder().buildAsync(URI.create(ws), listener).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            refused = e;
        }
        assertNotNull(refused);
        assertFalse(refused.getMessage() == null && refused.getCause() == null);
    }
}
