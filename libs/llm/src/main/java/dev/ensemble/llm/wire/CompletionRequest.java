package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/** {@code POST /v1/completions} (the legacy text completion); {@code max_tokens} defaults to 16 as in OpenAI. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompletionRequest(
        @JsonProperty("model") String model,
        @JsonProperty("prompt") @JsonDeserialize(using = Json.PromptDeserializer.class) String prompt,
        @JsonProperty("stream") Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("n") Integer n,
        @JsonProperty("stop") @JsonDeserialize(using = Json.StopDeserializer.class) List<String> stop,
        @JsonProperty("seed") Long seed,
        @JsonProperty("echo") Boolean echo,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("user") String user) {

    /** OpenAI's default {@code max_tokens} for completions. */
    public static final int DEFAULT_MAX_TOKENS = 16;

    public static CompletionRequest of(String model, String prompt, int maxTokens) {
        return new CompletionRequest(model, prompt, null, null, maxTokens, null, null, null, null, null, null, null, null, null, null);
    }

    public CompletionRequest validate() {
        return validate(Validation.DEFAULT_MAX_TOKENS_LIMIT);
    }

    public CompletionRequest validate(int maxTokensLimit) {
        Validation.model(model);
        if (prompt == null) {
            throw new WireValidationException("prompt", "prompt is required", "missing_required_parameter");
        }
        Validation.maxTokens("max_tokens", maxTokens, maxTokensLimit);
        Validation.sampling(temperature, topP, n, topK, presencePenalty, frequencyPenalty);
        Validation.stop(stop);
        Validation.streamOptions(stream, streamOptions);
        Validation.user(user);
        if (Boolean.TRUE.equals(echo)) {
            throw new WireValidationException("echo", "echo is not supported");
        }
        return this;
    }

    public boolean isStream() {
        return Boolean.TRUE.equals(stream);
    }

    public boolean includeUsage() {
        return isStream() && streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    public int maxTokensOr(int fallback) {
        return maxTokens != null ? maxTokens : fallback;
    }

    public CompletionRequest withModel(String m) {
        return new CompletionRequest(m, prompt, stream, streamOptions, maxTokens, temperature, topP, topK, n, stop, seed, echo,
                presencePenalty, frequencyPenalty, user);
    }

    public CompletionRequest withStream(boolean s) {
        return new CompletionRequest(model, prompt, s ? Boolean.TRUE : null, s ? new StreamOptions(true) : null, maxTokens, temperature,
                topP, topK, n, stop, seed, echo, presencePenalty, frequencyPenalty, user);
    }
}
