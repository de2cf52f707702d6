package dev.ensemble.inference.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.testing.EnsembleTestResource;
import dev.ensemble.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** AI Orchestra's chat WebSocket: auth, token streaming, control, commands, bad frames, rate limit. */
@QuarkusTest
@QuarkusTestResource(value = EnsembleTestResource.class, initArgs = @ResourceArg(name = "database", value = "inference"))
@QuarkusTestResource(UpstreamStub.class)
class ChatSocketTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void models() {
        LlmTestSupport.awaitModels();
    }

    /** A client collecting messages with their arrival time. */
    static final class Client implements WebSocket.Listener {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final List<Long> arrivals = new ArrayList<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    synchronized (arrivals) {
                        arrivals.add(System.nanoTime());
                    }
                    messages.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode m = messages.poll(60, TimeUnit.SECONDS);
            assertNotNull(m, "no message within 60 s");
            return m;
        }

        JsonNode nextOfType(String type) throws InterruptedException {
            for (int i = 0; i < 2000; i++) {
                JsonNode m = next();
                if (type.equals(m.get("type").asText())) {
                    return m;
                }
            }
            throw new AssertionError("no " + type);
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }
    }

    static Client connect(String path, String bearer) {
        Client c = new Client();
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        c.ws = b.buildAsync(URI.create("ws://localhost:" + RestAssured.port + path), c).join();
        return c;
    }

    @Test
    void streamsAChatTokenByToken() throws Exception {
        UUID user = UUID.randomUUID();
        String session = "ws-" + UUID.randomUUID();
        Client c = connect("/api/v1/chat/ws/client-1/" + session, TestKeys.user(user));
        JsonNode hello = c.next();
        assertEquals("control", hello.get("type").asText());
        assertEquals("connected", hello.at("/data/action").asText());
        c.send("{\"type\":\"chat\",\"data\":{\"message\":\"Tell me a story about a fox.\",\"optimization_mode\":\"balanced\"},"
                + "\"timestamp\":\"2025-01-01T00:00:00Z\"}");
        StringBuilder streamed = new StringBuilder();
        int tokens = 0;
        JsonNode done;
        while (true) {
            JsonNode m = c.next();
            String type = m.get("type").asText();
            if ("stream".equals(type)) {
                streamed.append(m.at("/data/token").asText());
                assertEquals(tokens++, m.at("/data/index").asInt());
            } else if ("chat".equals(type)) {
                done = m;
                break;
            } else {
                fail("unexpected " + m);
            }
        }
        assertTrue(tokens > 3, "only " + tokens + " tokens");
        assertEquals(streamed.toString(), done.at("/data/response").asText());
        assertEquals(session, done.at("/data/session_id").asText());
        assertTrue(done.at("/data/metadata/tokens_used").asInt() > 0);
        assertNotNull(done.get("timestamp"));
        // tokens arrived one by one, not in one burst at the end
        List<Long> times;
        synchronized (c.arrivals) {
            times = new ArrayList<>(c.arrivals);
        }
        assertTrue(times.get(times.size() - 2) - times.get(1) > 10_000_000L, "tokens arrived together");

        // memory: the session now has the exchange, which a new connection's history command shows
        c.send("{\"type\":\"command\",\"data\":{\"command\":\"history\"}}");
        JsonNode history = c.nextOfType("command");
        assertEquals(2, history.at("/data/result/messages").size());
        c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void controlCommandsAndMalformedFramesKeepTheConnection() throws Exception {
        Client c = connect("/api/v1/chat/ws/client-2/ws-" + UUID.randomUUID(), TestKeys.user(UUID.randomUUID()));
        c.next();
        c.send("{\"type\":\"control\",\"data\":{\"action\":\"ping\"}}");
        assertEquals("pong", c.nextOfType("control").at("/data/action").asText());
        c.send("{not json");
        JsonNode e1 = c.next();
        assertEquals("error", e1.get("type").asText());
        assertEquals("VALIDATION_ERROR", e1.at("/data/code").asText());
        c.send("[1,2,3]");
        assertEquals("error", c.next().get("type").asText());
        c.send("{\"type\":\"dance\",\"data\":{}}");
        assertEquals("type", c.next().at("/data/field").asText());
        c.send("{\"type\":\"chat\",\"data\":{\"message\":\"\"}}");
        assertEquals("message", c.next().at("/data/field").asText());
        c.send("{\"type\":\"chat\",\"data\":{\"message\":\"hi\",\"model\":\"nope\"}}");
        assertEquals("NOT_FOUND", c.next().at("/data/code").asText());
        c.send("{\"type\":\"command\",\"data\":{\"command\":\"explode\"}}");
        assertEquals("error", c.next().get("type").asText());
        c.ws.sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
        assertEquals("error", c.next().get("type").asText());
        c.send("{\"type\":\"control\",\"data\":{\"action\":\"status\"}}");
        JsonNode status = c.nextOfType("control");
        assertEquals("status", status.at("/data/action").asText());
        assertTrue(status.at("/data/model_ready").asBoolean());
        // still open and answering after all of that
        c.send("{\"type\":\"stream\",\"data\":{\"message\":\"Hello\",\"optimization_mode\":\"lite\"}}");
        assertEquals("stream", c.next().get("type").asText());
        assertEquals("chat", c.nextOfType("chat").get("type").asText());
    }

    @Test
    void aLongLivedConnectionRenewsItsTokenForTheSameUserOnly() throws Exception {
        UUID user = UUID.randomUUID();
        Client c = connect("/api/v1/chat/ws/client-9/ws-" + UUID.randomUUID(), TestKeys.user(user));
        c.next();
        String fresh = TestKeys.token(user, java.util.Set.of("user"), java.time.Duration.ofHours(1));
        c.send("{\"type\":\"control\",\"id\":\"r1\",\"data\":{\"action\":\"auth\",\"token\":\"Bearer " + fresh + "\"}}");
        JsonNode ok = c.nextOfType("control");
        assertEquals("renewed", ok.at("/data/result").asText());
        assertEquals("r1", ok.at("/data/id").asText());

        c.send("{\"type\":\"control\",\"data\":{\"action\":\"auth\",\"token\":\"" + TestKeys.user(UUID.randomUUID()) + "\"}}");
        assertEquals("FORBIDDEN", c.nextOfType("error").at("/data/code").asText());
        String expired = TestKeys.token(user, java.util.Set.of("user"), java.time.Duration.ofMinutes(-10));
        c.send("{\"type\":\"control\",\"data\":{\"action\":\"auth\",\"token\":\"" + expired + "\"}}");
        assertEquals("INVALID_TOKEN", c.nextOfType("error").at("/data/code").asText());
        c.send("{\"type\":\"control\",\"data\":{\"action\":\"auth\",\"token\":\"not.a.jwt\"}}");
        assertEquals("INVALID_TOKEN", c.nextOfType("error").at("/data/code").asText());
        c.send("{\"type\":\"control\",\"data\":{\"action\":\"auth\"}}");
        assertEquals("data.token", c.nextOfType("error").at("/data/field").asText());

        // the connection keeps answering, now with the renewed token
        c.send("{\"type\":\"stream\",\"data\":{\"message\":\"Hello\",\"optimization_mode\":\"lite\"}}");
        assertEquals("chat", c.nextOfType("chat").get("type").asText());
    }

    @Test
    void rateLimitsMessagesPerConnection() throws Exception {
        Client c = connect("/api/v1/chat/ws/client-3/ws-" + UUID.randomUUID(), TestKeys.user(UUID.randomUUID()));
        c.next();
        for (int i = 0; i < 31; i++) { // the test limit is 30 a minute
            c.send("{\"type\":\"control\",\"data\":{\"action\":\"ping\"}}");
        }
        for (int i = 0; i < 30; i++) {
            assertEquals("pong", c.next().at("/data/action").asText());
        }
        JsonNode limited = c.next();
        assertEquals("error", limited.get("type").asText());
        assertEquals("RATE_LIMIT_ERROR", limited.at("/data/code").asText());
        assertTrue(limited.at("/data/retry_after").asInt() > 0);
    }

    @Test
    void authenticatesTheUpgradeAndOwnsTheSession() throws Exception {
        UUID owner = UUID.randomUUID();
        String session = "ws-owned-" + UUID.randomUUID();
        // a token in the query, as browsers send it
        Client c = connect("/api/v1/chat/ws/client-4/" + session + "?access_token=" + TestKeys.user(owner), null);
        assertEquals("connected", c.next().at("/data/action").asText());
        CompletionException noAuth = assertThrows(CompletionException.class, () -> connect("/api/v1/chat/ws/client-5/" + session, null));
        assertEquals(401, ((WebSocketHandshakeException) noAuth.getCause()).getResponse().statusCode());
        CompletionException other = assertThrows(CompletionException.class,
                () -> connect("/api/v1/chat/ws/client-6/" + session, TestKeys.user(UUID.randomUUID())));
        assertEquals(404, ((WebSocketHandshakeException) other.getCause()).getResponse().statusCode());
        CompletionException bad = assertThrows(CompletionException.class,
                () -> connect("/api/v1/chat/ws/client-7/" + session + "?token=garbage", null));
        assertEquals(401, ((WebSocketHandshakeException) bad.getCause()).getResponse().statusCode());
    }

    @Test
    void closingTheSocketCancelsTheGeneration() throws Exception {
        Client c = connect("/api/v1/chat/ws/client-8/ws-" + UUID.randomUUID(), TestKeys.user(UUID.randomUUID()));
        c.next();
        c.send("{\"type\":\"stream\",\"data\":{\"message\":\"Tell me everything.\",\"optimization_mode\":\"quality\"}}");
        assertEquals("stream", c.next().get("type").asText());
        c.send("{\"type\":\"command\",\"data\":{\"command\":\"cancel\"}}");
        JsonNode end = c.nextOfType("chat");
        assertEquals("cancelled", end.at("/data/metadata/finish_reason").asText());
        assertTrue(end.at("/data/metadata/completion_tokens").asInt() < 320);
    }
}
