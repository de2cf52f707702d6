package dev.ensemble.llm.model;

/**
 * The outcome of one generation.
 *
 * @param text what was returned to the consumer (without the stop sequence)
 * @param finishReason why it ended
 * @param usage prompt and completion tokens
 * @param timeToFirstTokenNanos from start to the first returned text (-1 when nothing was returned)
 * @param durationNanos from start to the end
 */
public record GenerationResult(String text, FinishReason finishReason, TokenUsage usage,
                               long timeToFirstTokenNanos, long durationNanos) {

    /** Completion tokens per second over the whole generation. */
    public double tokensPerSecond() {
        return durationNanos <= 0 ? 0 : usage.completionTokens() * 1e9 / durationNanos;
    }
}
