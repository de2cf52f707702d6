package dev.ensemble.llm.model;

import java.util.List;

/**
 * How to sample one generation.
 *
 * @param maxTokens the most tokens to generate (1..{@link #MAX_TOKENS_LIMIT})
 * @param temperature 0 for greedy decoding, otherwise logits are divided by it (0..2)
 * @param topK keep only the k most likely tokens; 0 turns it off
 * @param topP keep the smallest set of tokens whose probability reaches p (nucleus); 1 turns it off
 * @param stop sequences that end the generation; the sequence itself is not returned
 * @param seed the sampling seed; null picks one at random. The same seed, prompt and model give
 *     the same text.
 */
public record GenerationParams(int maxTokens, double temperature, int topK, double topP, List<String> stop, Long seed) {

    public static final int MAX_TOKENS_LIMIT = 8192;

    public GenerationParams {
        if (maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT) {
            throw new IllegalArgumentException("max_tokens must be between 1 and " + MAX_TOKENS_LIMIT);
        }
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new IllegalArgumentException("temperature must be between 0 and 2");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must not be negative");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1]");
        }
        stop = stop == null ? List.of() : stop.stream().filter(s -> s != null && !s.isEmpty()).toList();
    }

    /** 128 tokens, temperature 0.8, top-k 40, no nucleus, no stop, random seed. */
    public static GenerationParams defaults() {
        return new GenerationParams(128, 0.8, 40, 1.0, List.of(), null);
    }

    public GenerationParams withMaxTokens(int n) {
        return new GenerationParams(n, temperature, topK, topP, stop, seed);
    }

    public GenerationParams withTemperature(double t) {
        return new GenerationParams(maxTokens, t, topK, topP, stop, seed);
    }

    public GenerationParams withTopK(int k) {
        return new GenerationParams(maxTokens, temperature, k, topP, stop, seed);
    }

    public GenerationParams withTopP(double p) {
        return new GenerationParams(maxTokens, temperature, topK, p, stop, seed);
    }

    public GenerationParams withStop(List<String> s) {
        return new GenerationParams(maxTokens, temperature, topK, topP, s, seed);
    }

    public GenerationParams withSeed(Long s) {
        return new GenerationParams(maxTokens, temperature, topK, topP, stop, s);
    }
}
