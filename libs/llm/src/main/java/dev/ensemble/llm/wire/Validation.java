package dev.ensemble.llm.wire;

import java.util.List;

/** Range checks shared by the request types; each failure names the field. */
final class Validation {

    /** The largest {@code max_tokens} accepted by default. */
    static final int DEFAULT_MAX_TOKENS_LIMIT = 32_768;

    private Validation() {
    }

    static void model(String model) {
        if (model == null || model.isBlank()) {
            throw new WireValidationException("model", "you must provide a model parameter", "missing_required_parameter");
        }
        if (model.length() > 256) {
            throw new WireValidationException("model", "model must be at most 256 characters");
        }
    }

    static void maxTokens(String field, Integer maxTokens, int limit) {
        if (maxTokens != null && (maxTokens < 1 || maxTokens > limit)) {
            throw new WireValidationException(field, field + " must be between 1 and " + limit + ", got " + maxTokens);
        }
    }

    static void sampling(Double temperature, Double topP, Integer n, Integer topK, Double presence, Double frequency) {
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
            throw new WireValidationException("temperature", "temperature must be between 0 and 2, got " + temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new WireValidationException("top_p", "top_p must be greater than 0 and at most 1, got " + topP);
        }
        if (n != null && n != 1) {
            throw new WireValidationException("n", "only n=1 is supported, got " + n);
        }
        if (topK != null && (topK < 0 || topK > 100_000)) {
            throw new WireValidationException("top_k", "top_k must be between 0 (off) and 100000, got " + topK);
        }
        if (presence != null && !(presence >= -2 && presence <= 2)) {
            throw new WireValidationException("presence_penalty", "presence_penalty must be between -2 and 2");
        }
        if (frequency != null && !(frequency >= -2 && frequency <= 2)) {
            throw new WireValidationException("frequency_penalty", "frequency_penalty must be between -2 and 2");
        }
    }

    static void stop(List<String> stop) {
        if (stop == null) {
            return;
        }
        if (stop.size() > 4) {
            throw new WireValidationException("stop", "at most 4 stop sequences are allowed, got " + stop.size());
        }
        for (int i = 0; i < stop.size(); i++) {
            String s = stop.get(i);
            if (s == null || s.isEmpty()) {
                throw new WireValidationException("stop[" + i + "]", "stop sequences must not be empty");
            }
            if (s.length() > 256) {
                throw new WireValidationException("stop[" + i + "]", "stop sequences must be at most 256 characters");
            }
        }
    }

    static void streamOptions(Boolean stream, StreamOptions options) {
        if (options != null && !Boolean.TRUE.equals(stream)) {
            throw new WireValidationException("stream_options", "stream_options is only allowed when stream is true");
        }
    }

    static void user(String user) {
        if (user != null && user.length() > 256) {
            throw new WireValidationException("user", "user must be at most 256 characters");
        }
    }
}
