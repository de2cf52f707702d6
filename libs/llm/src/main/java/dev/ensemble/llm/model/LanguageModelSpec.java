package dev.ensemble.llm.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The shape of a character language model: one-hot input over the vocabulary, {@code layers}
 * stacked LSTM layers of {@code hiddenSize} units, and a linear layer back to the vocabulary.
 *
 * @param architecture always {@code char-lstm} for now (kept in the saved JSON so that other kinds can follow)
 * @param vocabularySize ids in the vocabulary, the unknown id included
 * @param hiddenSize LSTM units per layer
 * @param layers stacked LSTM layers
 * @param dropout dropout between layers while training (0 for one layer)
 * @param contextLength the longest prompt the model accepts, in tokens
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LanguageModelSpec(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("vocabulary_size") int vocabularySize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("layers") int layers,
        @JsonProperty("dropout") float dropout,
        @JsonProperty("context_length") int contextLength) {

    public static final String CHAR_LSTM = "char-lstm";

    public LanguageModelSpec {
        if (architecture == null) {
            architecture = CHAR_LSTM;
        }
        if (!CHAR_LSTM.equals(architecture)) {
            throw new IllegalArgumentException("unsupported architecture: " + architecture);
        }
        if (vocabularySize < 2) {
            throw new IllegalArgumentException("vocabulary_size must be at least 2");
        }
        if (hiddenSize < 1 || hiddenSize > 4096) {
            throw new IllegalArgumentException("hidden_size must be in 1..4096");
        }
        if (layers < 1 || layers > 8) {
            throw new IllegalArgumentException("layers must be in 1..8");
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1)");
        }
        if (contextLength < 1) {
            throw new IllegalArgumentException("context_length must be positive");
        }
    }

    /** A char-LSTM of the given sizes with a 4096-token prompt limit and no dropout. */
    public static LanguageModelSpec charLstm(int vocabularySize, int hiddenSize, int layers) {
        return new LanguageModelSpec(CHAR_LSTM, vocabularySize, hiddenSize, layers, 0f, 4096);
    }
}
