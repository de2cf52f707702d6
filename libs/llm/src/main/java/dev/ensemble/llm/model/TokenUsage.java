package dev.ensemble.llm.model;

/**
 * Tokens of one generation. {@code completionTokens} counts every token the model sampled, also
 * those that formed a stop sequence (and were therefore not returned) and those sampled before the
 * consumer cancelled; nothing is sampled ahead of the consumer, so a cancelled stream counts exactly
 * what was computed.
 */
public record TokenUsage(int promptTokens, int completionTokens) {

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
