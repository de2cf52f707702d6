package dev.ensemble.llm.model;

import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Generates text from a {@link LanguageModel} in three styles: pull ({@link #start}, a
 * {@link Generation} you call {@code next()} on), push ({@link #stream}, a callback per token on
 * the calling thread) and reactive ({@link #publisher}, a {@link Flow.Publisher} that computes a
 * token only when the subscriber asked for one). {@link #complete} is the blocking convenience.
 *
 * <p>Stateless and thread-safe: every call gets its own generation state.
 */
public final class Generator {

    private final LanguageModel model;

    Generator(LanguageModel model) {
        this.model = model;
    }

    /** Starts a generation; nothing is computed until the first {@code next()}. */
    public Generation start(String prompt, GenerationParams params) {
        return new Generation(model, prompt, params);
    }

    /** Generates on the calling thread, handing each piece to {@code onToken} as it is computed. */
    public GenerationResult stream(String prompt, GenerationParams params, Consumer<String> onToken, BooleanSupplier cancelled) {
        try (Generation g = start(prompt, params)) {
            for (String piece = g.next(); piece != null; piece = g.next()) {
                onToken.accept(piece);
                if (cancelled != null && cancelled.getAsBoolean()) {
                    g.cancel();
                }
            }
            return g.result();
        }
    }

    /** Generates the whole text and returns it. */
    public GenerationResult complete(String prompt, GenerationParams params) {
        return stream(prompt, params, piece -> { }, null);
    }

    /**
     * A publisher of text pieces for one subscriber; the generation runs on {@code executor}, one
     * token per requested item. The subscriber's {@code cancel()} stops it before the next token.
     * {@link GenerationPublisher#result()} completes with the usage when it ends.
     */
    public GenerationPublisher publisher(String prompt, GenerationParams params, Executor executor) {
        return new GenerationPublisher(start(prompt, params), executor);
    }
}
