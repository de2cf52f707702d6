package dev.ensemble.llm.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.llm.provider.StubOpenAi.Answer;
import dev.ensemble.llm.provider.StubOpenAi.BreakAfter;
import dev.ensemble.llm.provider.StubOpenAi.ErrorEventAfter;
import dev.ensemble.llm.provider.StubOpenAi.Fail;
import dev.ensemble.llm.provider.StubOpenAi.Hang;
import dev.ensemble.llm.wire.ChatCompletion;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.ChatMessage;
import dev.ensemble.llm.wire.Completion;
import dev.ensemble.llm.wire.CompletionRequest;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiProviderTest {

    private StubOpenAi a;
    private StubOpenAi b;

    @BeforeEach
    void start() throws Exception {
        a = new StubOpenAi();
        b = new StubOpenAi();
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private static ChatCompletionRequest hello(String model) {
        return ChatCompletionRequest.of(model, List.of(ChatMessage.system("be brief"), ChatMessage.user("Hi"))).validate();
    }

    private ProviderConfig config(String name, StubOpenAi stub, int retries) {
        return new ProviderConfig(name, URI.create(stub.baseUrl()), "sk-" + name, List.of("gpt-test", "alias"),
                Map.of("alias", "upstream-name"), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
                retries, Duration.ofMillis(20));
    }

    @Test
    void nonStreamedChatSendsTheDocumentedRequestAndReadsTheAnswer() {
        OpenAiProvider p = new OpenAiProvider(config("a", a, 0));
        ChatCompletion c = p.chat(hello("alias").withSampling(0.5, 0.9, null, 7L));
        assertEquals("Hello there!", c.content());
        assertEquals("stop", c.finishReason());
        assertEquals("alias", c.model(), "answered as the id the client asked for");
        assertEquals(3, c.usage().completionTokens());
        StubOpenAi.Received r = a.received.get(0);
        assertEquals("/v1/chat/completions", r.path());
        assertEquals("Bearer sk-a", r.authorization());
        assertEquals("upstream-name", r.body().path("model").asText(), "the upstream's own model name");
        assertFalse(r.body().path("stream").asBoolean(false));
        assertEquals("system", r.body().path("messages").get(0).path("role").asText());
        assertEquals(0.5, r.body().path("temperature").asDouble());
        assertEquals(0.9, r.body().path("top_p").asDouble());
        assertEquals(7, r.body().path("seed").asLong());
    }

    @Test
    void streamsTokensAsTheyArriveWithTheUpstreamUsage() throws Exception {
        a.then(new Answer(List.of("One", " two", " three", " four"), 150));
        RecordingListener l = new RecordingListener();
        new OpenAiProvider(config("a", a, 0)).streamChat(hello("gpt-test"), l);
        l.await();
        assertNull(l.error);
        assertEquals(List.of("One", " two", " three", " four"), l.tokens);
        assertTrue(l.endNanos - l.tokenNanos.get(0) > 300_000_000L, "the first token came long before the end");
        assertEquals("stop", l.end.finishReason());
        assertTrue(l.end.usageExact());
        assertEquals(4, l.end.usage().completionTokens());
        assertEquals(10, l.end.usage().promptTokens());
        assertEquals(4, l.end.pieces());
        assertEquals(1, l.terminalCalls);
        assertTrue(a.received.get(0).body().path("stream").asBoolean());
        assertTrue(a.received.get(0).body().path("stream_options").path("include_usage").asBoolean());
    }

    @Test
    void retriesBeforeTheFirstTokenOnly() throws Exception {
        a.then(new Fail(503, "overloaded", null), new Fail(429, "slow down", "0"), new Answer(List.of("ok"), 0));
        RecordingListener l = new RecordingListener();
        new OpenAiProvider(config("a", a, 2)).streamChat(hello("gpt-test"), l);
        l.await();
        assertNull(l.error);
        assertEquals("ok", l.text());
        assertEquals(3, a.received.size());

        a.then(new Fail(503, "down", null), new Answer(List.of("fine"), 0));
        assertEquals("fine", new OpenAiProvider(config("a", a, 1)).chat(hello("gpt-test")).content());
    }

    @Test
    void givesUpAfterTheRetriesAndNeverRetriesABadRequest() {
        a.always(new Fail(503, "down", null));
        LlmException e = assertThrows(LlmException.class, () -> new OpenAiProvider(config("a", a, 2)).chat(hello("gpt-test")));
        assertEquals(LlmException.Kind.UPSTREAM_ERROR, e.kind());
        assertEquals(503, e.upstreamStatus());
        assertTrue(e.getMessage().contains("down"), e.getMessage());
        assertEquals(3, a.received.size());

        b.always(new Fail(400, "bad messages", null));
        LlmException bad = assertThrows(LlmException.class, () -> new OpenAiProvider(config("b", b, 2)).chat(hello("gpt-test")));
        assertEquals(LlmException.Kind.INVALID_REQUEST, bad.kind());
        assertEquals(400, bad.httpStatus());
        assertFalse(bad.failover());
        assertEquals(1, b.received.size());
    }

    @Test
    void failsOverToTheNextProviderServingTheModel() throws Exception {
        a.always(new Fail(500, "boom", null));
        ProviderRouter router = new ProviderRouter(List.of(new OpenAiProvider(config("a", a, 1)), new OpenAiProvider(config("b", b, 1))),
                ProviderRouter.Strategy.FIRST);
        RecordingListener l = new RecordingListener();
        router.streamChat(hello("gpt-test"), l);
        l.await();
        assertNull(l.error);
        assertEquals("Hello there!", l.text());
        assertEquals("b", l.end.provider());
        assertEquals(2, a.received.size(), "one try and one retry on a");
        assertEquals(1, b.received.size());

        assertEquals("Hello there!", router.chat(hello("gpt-test")).content());
    }

    @Test
    void failsOverWhenTheFirstProviderIsNotListening() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ProviderConfig dead = ProviderConfig.of("dead", "http://127.0.0.1:" + closedPort + "/v1", null, List.of("gpt-test"))
                .withRetries(1, Duration.ofMillis(10));
        ProviderRouter router = new ProviderRouter(List.of(new OpenAiProvider(dead), new OpenAiProvider(config("b", b, 0))),
                ProviderRouter.Strategy.FIRST);
        RecordingListener l = new RecordingListener();
        router.streamChat(hello("gpt-test"), l);
        l.await();
        assertNull(l.error);
        assertEquals("b", l.end.provider());
        LlmException e = assertThrows(LlmException.class, () -> new OpenAiProvider(dead).chat(hello("gpt-test")));
        assertEquals(LlmException.Kind.CONNECT, e.kind());
    }

    @Test
    void timesOutWithoutAFirstTokenAndFailsOver() throws Exception {
        a.always(new Hang(6000, true));
        ProviderConfig slow = config("a", a, 2).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(10));
        RecordingListener alone = new RecordingListener();
        long t0 = System.nanoTime();
        new OpenAiProvider(slow).streamChat(hello("gpt-test"), alone);
        alone.await();
        assertEquals(LlmException.Kind.TIMEOUT, alone.error.kind());
        assertEquals(504, alone.error.httpStatus());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "gave up after the first-token timeout, not the upstream's 6 s");
        assertEquals(1, a.received.size(), "a timeout is not retried on the same provider");

        ProviderRouter router = new ProviderRouter(List.of(new OpenAiProvider(slow), new OpenAiProvider(config("b", b, 0))),
                ProviderRouter.Strategy.FIRST);
        RecordingListener l = new RecordingListener();
        router.streamChat(hello("gpt-test"), l);
        l.await();
        assertNull(l.error);
        assertEquals("b", l.end.provider());

        a.always(new Hang(3000, false));
        ProviderConfig slowTotal = config("a", a, 0).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(300));
        LlmException e = assertThrows(LlmException.class, () -> new OpenAiProvider(slowTotal).chat(hello("gpt-test")));
        assertEquals(LlmException.Kind.TIMEOUT, e.kind());
    }

    @Test
    void aFailureAfterTheFirstTokenIsReportedAfterTheTokensAndNotRetried() throws Exception {
        a.then(new BreakAfter(List.of("Once", " upon", " a")));
        ProviderRouter router = new ProviderRouter(List.of(new OpenAiProvider(config("a", a, 2)), new OpenAiProvider(config("b", b, 0))),
                ProviderRouter.Strategy.FIRST);
        RecordingListener l = new RecordingListener();
        router.streamChat(hello("gpt-test"), l);
        l.await();
        assertEquals(List.of("Once", " upon", " a"), l.tokens);
        assertEquals(LlmException.Kind.STREAM_INTERRUPTED, l.error.kind());
        assertEquals(3, l.end.pieces());
        assertEquals("Once upon a", l.end.text());
        assertEquals(3, l.end.usage().completionTokens(), "estimated from the pieces delivered");
        assertFalse(l.end.usageExact());
        assertEquals(1, a.received.size());
        assertEquals(0, b.received.size(), "no failover once tokens were delivered");
        assertEquals(1, l.terminalCalls);

        a.then(new ErrorEventAfter(List.of("Hi"), "model crashed"));
        RecordingListener e = new RecordingListener();
        new OpenAiProvider(config("a", a, 2)).streamChat(hello("gpt-test"), e);
        e.await();
        assertEquals(List.of("Hi"), e.tokens);
        assertEquals(LlmException.Kind.STREAM_INTERRUPTED, e.error.kind());
        assertTrue(e.error.getMessage().contains("model crashed"));
    }

    @Test
    void aStalledStreamHitsTheTotalTimeoutAfterItsTokens() throws Exception {
        a.then(new Answer(List.of("a", "b", "c", "d", "e", "f", "g", "h"), 300));
        ProviderConfig c = config("a", a, 0).withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(1500));
        RecordingListener l = new RecordingListener();
        new OpenAiProvider(c).streamChat(hello("gpt-test"), l);
        l.await();
        assertEquals(LlmException.Kind.TIMEOUT, l.error.kind());
        assertTrue(l.tokens.size() >= 1 && l.tokens.size() < 8, "some tokens, then the timeout: " + l.tokens);
        assertEquals(l.tokens.size(), l.end.pieces());
    }

    @Test
    void cancellingStopsTheStreamAndCountsWhatWasDelivered() throws Exception {
        a.then(new Answer(List.of("a", "b", "c", "d", "e", "f", "g", "h"), 100));
        RecordingListener l = new RecordingListener();
        java.util.concurrent.atomic.AtomicReference<StreamHandle> h = new java.util.concurrent.atomic.AtomicReference<>();
        StreamListener cancelAfterTwo = new StreamListener() {
            @Override public void onToken(String text) {
                l.onToken(text);
                if (l.tokens.size() == 2) {
                    handle(h).cancel();
                }
            }
            @Override public void onComplete(StreamEnd end) {
                l.onComplete(end);
            }
            @Override public void onError(LlmException error, StreamEnd partial) {
                l.onError(error, partial);
            }
        };
        h.set(new OpenAiProvider(config("a", a, 0)).streamChat(hello("gpt-test"), cancelAfterTwo));
        l.await();
        assertEquals("cancelled", l.end.finishReason());
        assertEquals(2, l.end.pieces());
        assertEquals(2, l.end.usage().completionTokens());
        assertEquals(l.end, h.get().done().get());
    }

    @Test
    void aConsumerThatFailsEndsTheStreamOnce() throws Exception {
        a.then(new Answer(List.of("a", "b", "c", "d"), 50));
        RecordingListener l = new RecordingListener();
        StreamListener broken = new StreamListener() {
            @Override public void onToken(String text) {
                l.onToken(text);
                if (l.tokens.size() == 2) {
                    throw new IllegalStateException("client connection closed");
                }
            }
            @Override public void onComplete(StreamEnd end) {
                l.onComplete(end);
            }
            @Override public void onError(LlmException error, StreamEnd partial) {
                l.onError(error, partial);
            }
        };
        StreamHandle h = new OpenAiProvider(config("a", a, 0)).streamChat(hello("gpt-test"), broken);
        l.await();
        assertEquals(LlmException.Kind.CANCELLED, l.error.kind());
        assertEquals(2, l.end.pieces());
        assertEquals("cancelled", l.end.finishReason());
        assertEquals(2, h.done().get().usage().completionTokens());
        Thread.sleep(300);
        assertEquals(1, l.terminalCalls);
        assertEquals(2, l.tokens.size());
    }

    @Test
    void textCompletionsStreamedAndNot() throws Exception {
        OpenAiProvider p = new OpenAiProvider(config("a", a, 0));
        Completion c = p.complete(CompletionRequest.of("gpt-test", "Say hi", 5).validate());
        assertEquals("Hello there!", c.text());
        assertEquals("/v1/completions", a.received.get(0).path());
        assertEquals(5, a.received.get(0).body().path("max_tokens").asInt());
        RecordingListener l = new RecordingListener();
        p.streamCompletion(CompletionRequest.of("gpt-test", "Say hi", 5).validate(), l);
        l.await();
        assertNull(l.error);
        assertEquals("Hello there!", l.text());
        assertEquals(6, l.end.usage().promptTokens());
    }

    @Test
    void routesRoundRobinAndByLatency() {
        a.always(new Answer(List.of("from a"), 0));
        b.always(new Answer(List.of("from b"), 0));
        ProviderRouter rr = new ProviderRouter(List.of(new OpenAiProvider(config("a", a, 0)), new OpenAiProvider(config("b", b, 0))),
                ProviderRouter.Strategy.ROUND_ROBIN);
        List<String> answers = List.of(rr.chat(hello("gpt-test")).content(), rr.chat(hello("gpt-test")).content(),
                rr.chat(hello("gpt-test")).content(), rr.chat(hello("gpt-test")).content());
        assertEquals(List.of("from a", "from b", "from a", "from b"), answers);

        a.always(new Answer(List.of("slow"), 300));
        b.always(new Answer(List.of("fast"), 0));
        a.received.clear();
        b.received.clear();
        ProviderRouter fastest = new ProviderRouter(List.of(new OpenAiProvider(config("a", a, 0)), new OpenAiProvider(config("b", b, 0))),
                ProviderRouter.Strategy.LOWEST_LATENCY);
        assertEquals("slow", fastest.chat(hello("gpt-test")).content(), "neither measured: configuration order");
        assertEquals("fast", fastest.chat(hello("gpt-test")).content(), "b not measured yet: tried next");
        assertTrue(fastest.latencyMillis("a") >= 300 && fastest.latencyMillis("b") < fastest.latencyMillis("a"));
        assertEquals("fast", fastest.chat(hello("gpt-test")).content());
        assertEquals("fast", fastest.chat(hello("gpt-test")).content());
        assertEquals(1, a.received.size());
        assertEquals(ProviderRouter.Strategy.LOWEST_LATENCY, ProviderRouter.Strategy.parse("lowest-latency"));
        assertThrows(IllegalArgumentException.class, () -> ProviderRouter.Strategy.parse("random"));
    }

    @Test
    void anUnknownModelIsRejectedAtOnce() {
        ProviderRouter router = new ProviderRouter(List.of(new OpenAiProvider(config("a", a, 0))), ProviderRouter.Strategy.FIRST);
        LlmException e = assertThrows(LlmException.class, () -> router.streamChat(hello("nope"), new RecordingListener()));
        assertEquals(LlmException.Kind.UNKNOWN_MODEL, e.kind());
        assertEquals(404, e.httpStatus());
        assertEquals("model_not_found", e.openAiCode());
        assertEquals(List.of("gpt-test", "alias"), router.models());
        assertTrue(a.received.isEmpty());
    }

    /** The handle, once the call that returns it has returned (the stream may start before that). */
    private static StreamHandle handle(java.util.concurrent.atomic.AtomicReference<StreamHandle> ref) {
        while (ref.get() == null) {
            Thread.onSpinWait();
        }
        return ref.get();
    }
}
