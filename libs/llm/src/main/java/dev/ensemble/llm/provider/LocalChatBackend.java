package dev.ensemble.llm.provider;

import dev.ensemble.llm.model.Generation;
import dev.ensemble.llm.model.GenerationParams;
import dev.ensemble.llm.model.GenerationResult;
import dev.ensemble.llm.model.LanguageModel;
import dev.ensemble.llm.model.PromptTooLongException;
import dev.ensemble.llm.wire.ChatChunks;
import dev.ensemble.llm.wire.ChatCompletion;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.Completion;
import dev.ensemble.llm.wire.CompletionRequest;
import dev.ensemble.llm.wire.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The in-process language model as a {@link ChatBackend}: chat messages become a
 * {@link ChatPromptFormat} prompt, sampling parameters map onto {@link GenerationParams}, and
 * streams run on the given executor, one token per step, so tokens reach the listener as the model
 * computes them. Token counts are exact (characters read and sampled).
 *
 * <p>At most {@code maxConcurrent} generations run at once; a request waits up to
 * {@code queueTimeout} for a slot and then fails with {@link LlmException.Kind#UNAVAILABLE}.
 * Thread-safe.
 */
public final class LocalChatBackend implements ChatBackend {

    /** {@code max_tokens} for chats that do not say. */
    public static final int DEFAULT_CHAT_MAX_TOKENS = 256;
    /** top-k used unless the request sets {@code top_k}. */
    public static final int DEFAULT_TOP_K = 40;

    private final String modelId;
    private final LanguageModel model;
    private final Executor executor;
    private final Semaphore slots;
    private final Duration queueTimeout;

    /**
     * @param modelId the id clients use for this model
     * @param model the loaded model (owned by the caller)
     * @param executor runs streamed generations (worker threads, never an event loop)
     * @param maxConcurrent generations at once (e.g. the number of cores)
     * @param queueTimeout how long a request waits for a free slot
     */
    public LocalChatBackend(String modelId, LanguageModel model, Executor executor, int maxConcurrent, Duration queueTimeout) {
        this.modelId = modelId;
        this.model = model;
        this.executor = executor;
        this.slots = new Semaphore(Math.max(1, maxConcurrent), true);
        this.queueTimeout = queueTimeout == null ? Duration.ofSeconds(30) : queueTimeout;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public List<String> models() {
        return List.of(modelId);
    }

    /** The loaded model. */
    public LanguageModel model() {
        return model;
    }

    /** Generation parameters for a chat request (its stops plus the turn stops). */
    public GenerationParams chatParams(ChatCompletionRequest r) {
        List<String> stops = new ArrayList<>(ChatPromptFormat.TURN_STOPS);
        if (r.stop() != null) {
            stops.addAll(r.stop());
        }
        return params(r.maxTokensOr(DEFAULT_CHAT_MAX_TOKENS), r.temperature(), r.topP(), r.topK(), stops, r.seed());
    }

    /** The prompt a chat request becomes. */
    public String chatPrompt(ChatCompletionRequest r) {
        return ChatPromptFormat.format(r.messages(), model.spec().contextLength());
    }

    @Override
    public ChatCompletion chat(ChatCompletionRequest request) {
        GenerationResult r = run(chatPrompt(request), chatParams(request));
        return ChatChunks.start(request.model()).completion(r.text(), r.finishReason().wire(),
                Usage.of(r.usage().promptTokens(), r.usage().completionTokens()));
    }

    @Override
    public Completion complete(CompletionRequest request) {
        GenerationResult r = run(request.prompt(), completionParams(request));
        return Completion.of(ChatChunks.newId("cmpl-"), System.currentTimeMillis() / 1000, request.model(), r.text(),
                r.finishReason().wire(), Usage.of(r.usage().promptTokens(), r.usage().completionTokens()));
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamListener listener) {
        return stream(chatPrompt(request), chatParams(request), listener);
    }

    @Override
    public StreamHandle streamCompletion(CompletionRequest request, StreamListener listener) {
        return stream(request.prompt(), completionParams(request), listener);
    }

    private GenerationParams completionParams(CompletionRequest r) {
        return params(r.maxTokensOr(CompletionRequest.DEFAULT_MAX_TOKENS), r.temperature(), r.topP(), r.topK(), r.stop(), r.seed());
    }

    private static GenerationParams params(int maxTokens, Double temperature, Double topP, Integer topK, List<String> stop, Long seed) {
        try {
            return new GenerationParams(Math.min(maxTokens, GenerationParams.MAX_TOKENS_LIMIT),
                    temperature == null ? 0.8 : temperature, topK == null ? DEFAULT_TOP_K : topK, topP == null ? 1.0 : topP, stop, seed);
        } catch (IllegalArgumentException e) {
            throw new LlmException(LlmException.Kind.INVALID_REQUEST, "local", e.getMessage());
        }
    }

    private GenerationResult run(String prompt, GenerationParams params) {
        Generation g = start(prompt, params);
        acquire();
        try {
            return g.drain(piece -> { });
        } finally {
            slots.release();
        }
    }

    private Generation start(String prompt, GenerationParams params) {
        try {
            return model.start(prompt, params);
        } catch (PromptTooLongException e) {
            throw new LlmException(LlmException.Kind.PROMPT_TOO_LONG, "local", e.getMessage());
        }
    }

    private void acquire() {
        try {
            if (!slots.tryAcquire(queueTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LlmException(LlmException.Kind.UNAVAILABLE, "local", "the local model is busy; try again later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmException(LlmException.Kind.CANCELLED, "local", "interrupted");
        }
    }

    private StreamHandle stream(String prompt, GenerationParams params, StreamListener listener) {
        Generation g = start(prompt, params);
        LocalStream s = new LocalStream(g, listener);
        try {
            executor.execute(s::run);
        } catch (RejectedExecutionException e) {
            g.close();
            throw new LlmException(LlmException.Kind.UNAVAILABLE, "local", "the local model is busy; try again later");
        }
        return s;
    }

    private final class LocalStream implements StreamHandle {
        private final Generation generation;
        private final StreamListener listener;
        private final CompletableFuture<StreamEnd> done = new CompletableFuture<>();
        private final long startNanos = System.nanoTime();

        LocalStream(Generation generation, StreamListener listener) {
            this.generation = generation;
            this.listener = listener;
        }

        void run() {
            int pieces = 0;
            long first = -1;
            try {
                acquire();
            } catch (LlmException e) {
                generation.close();
                finish(e, new StreamEnd(name(), modelId, "error", Usage.of(generation.usage().promptTokens(), 0), true, 0, "", -1));
                return;
            }
            try (generation) {
                RuntimeException consumerFailed = null;
                for (String piece = generation.next(); piece != null; piece = generation.next()) {
                    if (pieces++ == 0) {
                        first = System.nanoTime() - startNanos;
                    }
                    try {
                        listener.onToken(piece);
                    } catch (RuntimeException e) {
                        consumerFailed = e; // the consumer cannot take more: stop like a cancel
                        generation.cancel();
                    }
                }
                GenerationResult r = generation.result();
                if (consumerFailed != null) {
                    finish(new LlmException(LlmException.Kind.CANCELLED, "local", "the consumer failed: " + consumerFailed.getMessage(),
                            0, consumerFailed), new StreamEnd(name(), modelId, r.finishReason().wire(),
                            Usage.of(r.usage().promptTokens(), r.usage().completionTokens()), true, pieces, r.text(), first));
                    return;
                }
                StreamEnd end = new StreamEnd(name(), modelId, r.finishReason().wire(),
                        Usage.of(r.usage().promptTokens(), r.usage().completionTokens()), true, pieces, r.text(), first);
                try {
                    listener.onComplete(end);
                } finally {
                    done.complete(end);
                }
            } catch (RuntimeException e) {
                GenerationResult r = generation.result();
                StreamEnd end = new StreamEnd(name(), modelId, "error",
                        Usage.of(r.usage().promptTokens(), r.usage().completionTokens()), true, pieces, r.text(), first);
                LlmException le = e instanceof LlmException l ? l : new LlmException(
                        pieces > 0 ? LlmException.Kind.STREAM_INTERRUPTED : LlmException.Kind.UPSTREAM_ERROR, "local",
                        "the local model failed: " + e.getMessage(), 0, e);
                finish(le, end);
            } finally {
                slots.release();
            }
        }

        private void finish(LlmException e, StreamEnd end) {
            try {
                listener.onError(e, end);
            } catch (RuntimeException ignored) {
                // the listener's own failure must not leave the stream unfinished
            } finally {
                done.complete(end);
            }
        }

        @Override
        public void cancel() {
            generation.cancel();
        }

        @Override
        public CompletableFuture<StreamEnd> done() {
            return done;
        }
    }
}
