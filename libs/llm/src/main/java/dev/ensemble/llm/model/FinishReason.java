package dev.ensemble.llm.model;

/** Why a generation ended, named as in the OpenAI API ({@code cancelled} is ours). */
public enum FinishReason {
    STOP("stop"),
    LENGTH("length"),
    CANCELLED("cancelled");

    private final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }

    /** The OpenAI {@code finish_reason} string. */
    public String wire() {
        return wire;
    }
}
