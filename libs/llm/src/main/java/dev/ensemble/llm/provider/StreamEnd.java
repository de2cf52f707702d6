package dev.ensemble.llm.provider;

import dev.ensemble.llm.wire.Usage;

/**
 * How a stream ended (also for a failed or cancelled one, so the tokens that were delivered can be
 * billed).
 *
 * @param provider the backend that produced the tokens
 * @param model the model that answered
 * @param finishReason {@code stop}, {@code length}, {@code cancelled}, or {@code error}
 * @param usage token counts: exact when {@code usageExact}, otherwise estimated (completion tokens =
 *     content pieces delivered, prompt tokens = 0 when the upstream never said)
 * @param usageExact whether the backend itself counted the tokens
 * @param pieces content pieces delivered to the consumer
 * @param text the content delivered
 * @param timeToFirstTokenNanos from the call to the first piece, -1 when none arrived
 */
public record StreamEnd(String provider, String model, String finishReason, Usage usage, boolean usageExact,
                        int pieces, String text, long timeToFirstTokenNanos) {
}
