package dev.ensemble.inference.llm;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Language-model settings ({@code ensemble.llm.*}). Upstream providers are configured separately
 * under {@code llm.providers.<name>.*} (libs/llm's {@code ProviderConfig} format).
 */
@ConfigMapping(prefix = "ensemble.llm")
public interface LlmConfig {

    /** Whether the local model is trained/loaded at start (false: only upstream providers). */
    @WithDefault("true")
    boolean localEnabled();

    /** Where the bundled model lives ({@code <dir>/ensemble-fables-lstm}); trained there on first start. */
    @WithDefault("${ENSEMBLE_MODEL_DIR:.ensemble/models}/llm")
    String modelDir();

    /** {@code cpu} (default), {@code gpu} or {@code gpu:N}; a GPU the engine cannot see falls back to the CPU. */
    @WithDefault("cpu")
    String device();

    /** PyTorch threads inside one operator and across operators (1 and 1 on small machines). */
    @WithDefault("1")
    int intraOpThreads();

    @WithDefault("1")
    int interOpThreads();

    /** Local generations at once; more wait up to {@link #queueTimeout()} and are then answered 503. */
    @WithDefault("8")
    int maxConcurrent();

    /** Threads the local streams run on (waiting ones included); beyond that a stream is answered 503. */
    @WithDefault("64")
    int maxThreads();

    @WithDefault("30s")
    Duration queueTimeout();

    /** {@code first}, {@code round-robin} or {@code lowest-latency}, when several backends serve one model. */
    @WithDefault("first")
    String routing();

    /** Largest {@code max_tokens} a request may ask for. */
    @WithDefault("4096")
    int maxTokensLimit();

    /**
     * Spending guardrails: before a generation, its largest possible cost (prompt plus
     * {@code max_tokens} at the model's price) is reserved with billing-service, which answers 402
     * when a limit would be passed; the completion's usage event then settles the hold with the
     * real cost (or it is released when nothing was generated).
     */
    @WithName("guardrails.enabled")
    @WithDefault("true")
    boolean guardrailsEnabled();

    /** Longest prompt (all messages together, in characters) accepted; longer ones are answered 413. */
    @WithDefault("100000")
    int maxPromptChars();

    /** Price per token (prompt and completion) by model id; {@code default} for models not listed. */
    @WithDefault("0.000001")
    BigDecimal defaultCostPerToken();

    Map<String, BigDecimal> costPerToken();

    /** The currency of the prices above. */
    @WithDefault("USD")
    String currency();

    /** How often recorded completions are written to the outbox as {@code usage.recorded} events. */
    @WithDefault("1s")
    Duration usageFlushInterval();

    Bundled bundled();

    Chat chat();

    /** Overrides of the bundled model's training recipe (tests train a tiny one). */
    interface Bundled {
        OptionalInt steps();

        OptionalInt hiddenSize();

        OptionalInt batchSize();

        OptionalInt sequenceLength();
    }

    /** AI Orchestra chat. */
    interface Chat {
        /** The model answering chats that name none (default: the local model). */
        Optional<String> defaultModel();

        /** Per optimization mode: model (optional), max tokens, temperature, top-k. */
        @WithDefault("lite")
        String defaultMode();

        /** Turns of session history sent with a message when memory is on. */
        @WithDefault("12")
        int historyTurns();

        /** Longest message accepted (characters). */
        @WithDefault("16000")
        int maxMessageChars();

        /** WebSocket messages per minute per connection. */
        @WithDefault("100")
        int wsMessagesPerMinute();

        /** Largest WebSocket frame (text) accepted, in bytes. */
        @WithDefault("65536")
        int wsMaxFrameBytes();

        Map<String, Mode> modes();
    }

    /** One optimization mode's overrides. */
    interface Mode {
        Optional<String> model();

        OptionalInt maxTokens();

        Optional<Double> temperature();

        OptionalInt topK();
    }
}
