package dev.ensemble.llm.provider;

import dev.ensemble.llm.wire.ChatCompletion;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.Completion;
import dev.ensemble.llm.wire.CompletionRequest;
import java.util.List;

/**
 * Something that answers chats and completions for some models: an upstream OpenAI-compatible
 * server ({@link OpenAiProvider}), the in-process model ({@link LocalChatBackend}), or a
 * {@link ProviderRouter} over several. Callers treat them all alike. Requests are expected to be
 * validated already ({@code request.validate()}); failures are {@link LlmException}s.
 */
public interface ChatBackend extends AutoCloseable {

    /** A short name for logs and metrics. */
    String name();

    /** The model ids this backend answers for. */
    List<String> models();

    default boolean serves(String model) {
        return models().contains(model);
    }

    /** A non-streamed chat answer (blocks the calling thread). */
    ChatCompletion chat(ChatCompletionRequest request);

    /** A streamed chat answer; returns at once, the listener gets the tokens. */
    StreamHandle streamChat(ChatCompletionRequest request, StreamListener listener);

    /** A non-streamed text completion (blocks the calling thread). */
    Completion complete(CompletionRequest request);

    /** A streamed text completion. */
    StreamHandle streamCompletion(CompletionRequest request, StreamListener listener);

    @Override
    default void close() {
    }
}
