package dev.ensemble.llm.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.llm.model.TinyModels;
import dev.ensemble.llm.wire.ChatCompletion;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.ChatMessage;
import dev.ensemble.llm.wire.Completion;
import dev.ensemble.llm.wire.CompletionRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class LocalChatBackendTest {

    private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    private static LocalChatBackend local() {
        return new LocalChatBackend("tiny", TinyModels.trained().model(), POOL, 2, Duration.ofSeconds(30));
    }

    private static ChatCompletionRequest ask(String text, int maxTokens) {
        return ChatCompletionRequest.of("tiny", List.of(ChatMessage.system("Tell fables."), ChatMessage.user(text)))
                .withMaxTokens(maxTokens).withSampling(0.8, null, null, 5L).validate();
    }

    @Test
    void formatsTheConversationForTheCharacterModel() {
        String prompt = ChatPromptFormat.format(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi\n\n\nthere"),
                ChatMessage.assistant("Hello."), ChatMessage.user("A fable?")), 1000);
        assertEquals("System: Be brief.\nUser: Hi\nthere\nAssistant: Hello.\nUser: A fable?\nAssistant: ", prompt);
        String trimmed = ChatPromptFormat.format(List.of(ChatMessage.system("S"), ChatMessage.user("x".repeat(50)),
                ChatMessage.assistant("y".repeat(50)), ChatMessage.user("last")), 40);
        assertEquals("System: S\nUser: last\nAssistant: ", trimmed, "the oldest turns are dropped first");
        LlmException e = assertThrows(LlmException.class,
                () -> ChatPromptFormat.format(List.of(ChatMessage.user("z".repeat(100))), 40));
        assertEquals(LlmException.Kind.PROMPT_TOO_LONG, e.kind());
        assertEquals(400, e.httpStatus());
    }

    @Test
    void answersAChatWithExactUsage() {
        LocalChatBackend local = local();
        ChatCompletionRequest r = ask("The cat", 30);
        ChatCompletion c = local.chat(r);
        assertEquals("tiny", c.model());
        assertEquals("assistant", c.choices().get(0).message().role());
        assertEquals(local.chatPrompt(r).length(), c.usage().promptTokens());
        assertTrue(c.usage().completionTokens() >= c.content().length());
        assertTrue(List.of("stop", "length").contains(c.finishReason()));
        assertEquals(c.content(), local.chat(r).content(), "same seed, same answer");
    }

    @Test
    void streamsTokensFromTheLocalModelAsTheyAreComputed() throws Exception {
        RecordingListener l = new RecordingListener();
        CompletionRequest r = CompletionRequest.of("tiny", "The dog", 40).withStream(true).validate();
        local().streamCompletion(r, l);
        l.await();
        assertNull(l.error);
        assertEquals(40, l.tokens.size(), "one event per sampled character");
        assertTrue(l.tokenNanos.get(0) < l.tokenNanos.get(39), "tokens arrive one after another");
        assertEquals(40, l.end.usage().completionTokens());
        assertEquals(7, l.end.usage().promptTokens());
        assertTrue(l.end.usageExact());
        assertEquals("length", l.end.finishReason());
        assertEquals(l.text(), l.end.text());

        Completion c = local().complete(CompletionRequest.of("tiny", "The dog", 10).validate());
        assertEquals(10, c.usage().completionTokens());
    }

    @Test
    void cancellingALocalStreamCountsTheTokensComputed() throws Exception {
        RecordingListener l = new RecordingListener();
        java.util.concurrent.atomic.AtomicReference<StreamHandle> h = new java.util.concurrent.atomic.AtomicReference<>();
        StreamListener cancelAtFive = new StreamListener() {
            @Override public void onToken(String text) {
                l.onToken(text);
                if (l.tokens.size() == 5) {
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
        h.set(local().streamCompletion(CompletionRequest.of("tiny", "The", 200).validate(), cancelAtFive));
        l.await();
        assertEquals("cancelled", l.end.finishReason());
        assertEquals(5, l.tokens.size());
        assertEquals(5, l.end.usage().completionTokens());
    }

    @Test
    void aFailingConsumerStopsTheLocalModel() throws Exception {
        RecordingListener l = new RecordingListener();
        StreamListener broken = new StreamListener() {
            @Override public void onToken(String text) {
                l.onToken(text);
                if (l.tokens.size() == 3) {
                    throw new IllegalStateException("socket closed");
                }
            }
            @Override public void onComplete(StreamEnd end) {
                l.onComplete(end);
            }
            @Override public void onError(LlmException error, StreamEnd partial) {
                l.onError(error, partial);
            }
        };
        StreamHandle h = local().streamCompletion(CompletionRequest.of("tiny", "The", 200).validate(), broken);
        l.await();
        assertEquals(LlmException.Kind.CANCELLED, l.error.kind());
        assertEquals(3, l.tokens.size());
        assertEquals(3, h.done().get().usage().completionTokens(), "nothing computed after the consumer failed");
        assertEquals(1, l.terminalCalls);
    }

    @Test
    void theRouterTreatsLocalAndUpstreamAlike() throws Exception {
        try (StubOpenAi upstream = new StubOpenAi()) {
            ProviderConfig remote = new ProviderConfig("remote", URI.create(upstream.baseUrl()), null, List.of("big"), Map.of(),
                    null, null, null, 0, null);
            ProviderRouter router = ProviderRouter.of(List.of(remote), ProviderRouter.Strategy.FIRST, local());
            assertEquals(List.of("tiny", "big"), router.models());
            assertEquals("Hello there!", router.chat(ChatCompletionRequest.of("big", List.of(ChatMessage.user("Hi")))).content());
            RecordingListener l = new RecordingListener();
            router.streamChat(ask("The cat", 20), l);
            l.await();
            assertNull(l.error);
            assertEquals("local", l.end.provider());
            assertTrue(l.end.pieces() > 0 || "stop".equals(l.end.finishReason()));
            LlmException tooLong = assertThrows(LlmException.class, () -> router.streamChat(
                    ChatCompletionRequest.of("tiny", List.of(ChatMessage.user("x".repeat(5000)))).validate(), new RecordingListener()));
            assertEquals(LlmException.Kind.PROMPT_TOO_LONG, tooLong.kind());
        }
    }

    /** The handle, once the call that returns it has returned (the stream may start before that). */
    private static StreamHandle handle(java.util.concurrent.atomic.AtomicReference<StreamHandle> ref) {
        while (ref.get() == null) {
            Thread.onSpinWait();
        }
        return ref.get();
    }
}
