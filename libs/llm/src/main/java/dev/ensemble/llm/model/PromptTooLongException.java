package dev.ensemble.llm.model;

/** The prompt has more tokens than the model's context length (a client error: map it to 400). */
public final class PromptTooLongException extends IllegalArgumentException {

    private final int promptTokens;
    private final int limit;

    public PromptTooLongException(int promptTokens, int limit) {
        super("the prompt is " + promptTokens + " tokens; this model accepts at most " + limit);
        this.promptTokens = promptTokens;
        this.limit = limit;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int limit() {
        return limit;
    }
}
