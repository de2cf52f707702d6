package dev.ensemble.llm.wire;

import java.util.List;
import java.util.UUID;

/**
 * Builds the chunks of one streamed chat completion, all sharing one id, creation time and model,
 * in OpenAI's order: {@link #role()}, {@link #content} for each piece, {@link #finish}, then
 * {@link #usage} when {@code include_usage} was asked for, then {@link Sse#DONE}.
 */
public final class ChatChunks {

    private final String id;
    private final long created;
    private final String model;

    public ChatChunks(String id, long created, String model) {
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /** A new stream with a fresh {@code chatcmpl-...} id, created now. */
    public static ChatChunks start(String model) {
        return new ChatChunks(newId("chatcmpl-"), System.currentTimeMillis() / 1000, model);
    }

    /** A random OpenAI-style id with the given prefix. */
    public static String newId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    public String id() {
        return id;
    }

    public long created() {
        return created;
    }

    public String model() {
        return model;
    }

    public ChatCompletionChunk role() {
        return chunk(new ChatCompletionChunk.Delta("assistant", ""), null);
    }

    public ChatCompletionChunk content(String text) {
        return chunk(new ChatCompletionChunk.Delta(null, text), null);
    }

    public ChatCompletionChunk finish(String finishReason) {
        return chunk(new ChatCompletionChunk.Delta(null, null), finishReason);
    }

    public ChatCompletionChunk usage(Usage usage) {
        return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, model, List.of(), usage);
    }

    /** The non-streamed answer with the same id. */
    public ChatCompletion completion(String content, String finishReason, Usage usage) {
        return ChatCompletion.of(id, created, model, content, finishReason, usage);
    }

    private ChatCompletionChunk chunk(ChatCompletionChunk.Delta delta, String finishReason) {
        return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, model,
                List.of(new ChatCompletionChunk.Choice(0, delta, finishReason)), null);
    }
}
