package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}. Unknown fields (tools, logprobs, response_format, ...) are
 * ignored; {@code top_k} is the vLLM/Ollama extension. Call {@link #validate()} before use.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionRequest(
        @JsonProperty("model") String model,
        @JsonProperty("messages") List<ChatMessage> messages,
        @JsonProperty("stream") Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("n") Integer n,
        @JsonProperty("stop") @JsonDeserialize(using = Json.StopDeserializer.class) List<String> stop,
        @JsonProperty("seed") Long seed,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("user") String user) {

    /** A minimal request: model and messages, everything else default. */
    public static ChatCompletionRequest of(String model, List<ChatMessage> messages) {
        return new ChatCompletionRequest(model, messages, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Checks the request with the default {@code max_tokens} limit (32768). */
    public ChatCompletionRequest validate() {
        return validate(Validation.DEFAULT_MAX_TOKENS_LIMIT);
    }

    /**
     * Checks every field; throws {@link WireValidationException} naming the first bad one.
     *
     * @param maxTokensLimit the largest {@code max_tokens} the caller accepts
     */
    public ChatCompletionRequest validate(int maxTokensLimit) {
        Validation.model(model);
        if (messages == null) {
            throw new WireValidationException("messages", "messages is required", "missing_required_parameter");
        }
        if (messages.isEmpty()) {
            throw new WireValidationException("messages", "messages must contain at least one message");
        }
        if (messages.size() > 2048) {
            throw new WireValidationException("messages", "at most 2048 messages are allowed");
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String at = "messages[" + i + "]";
            if (m == null) {
                throw new WireValidationException(at, at + " must be an object");
            }
            if (m.role() == null) {
                throw new WireValidationException(at + ".role", at + ".role is required", "missing_required_parameter");
            }
            if (!ChatMessage.ROLES.contains(m.role())) {
                throw new WireValidationException(at + ".role", "unknown role '" + truncate(m.role())
                        + "'; expected one of system, developer, user, assistant, tool");
            }
            if (m.content() == null && !"assistant".equals(m.role())) {
                throw new WireValidationException(at + ".content", at + ".content is required", "missing_required_parameter");
            }
        }
        Validation.maxTokens("max_tokens", maxTokens, maxTokensLimit);
        Validation.maxTokens("max_completion_tokens", maxCompletionTokens, maxTokensLimit);
        Validation.sampling(temperature, topP, n, topK, presencePenalty, frequencyPenalty);
        Validation.stop(stop);
        Validation.streamOptions(stream, streamOptions);
        Validation.user(user);
        return this;
    }

    /** Whether the answer is streamed as SSE. */
    public boolean isStream() {
        return Boolean.TRUE.equals(stream);
    }

    /** Whether a streamed answer ends with a usage chunk. */
    public boolean includeUsage() {
        return isStream() && streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }

    /** {@code max_completion_tokens}, else {@code max_tokens}, else {@code fallback}. */
    public int maxTokensOr(int fallback) {
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens != null ? maxTokens : fallback;
    }

    /** The same request for another model (what a provider serves it as). */
    public ChatCompletionRequest withModel(String m) {
        return new ChatCompletionRequest(m, messages, stream, streamOptions, maxTokens, maxCompletionTokens, temperature, topP,
                topK, n, stop, seed, presencePenalty, frequencyPenalty, user);
    }

    /** The same request streamed or not; streaming asks for the usage chunk too. */
    public ChatCompletionRequest withStream(boolean s) {
        return new ChatCompletionRequest(model, messages, s ? Boolean.TRUE : null, s ? new StreamOptions(true) : null, maxTokens,
                maxCompletionTokens, temperature, topP, topK, n, stop, seed, presencePenalty, frequencyPenalty, user);
    }

    public ChatCompletionRequest withMaxTokens(Integer m) {
        return new ChatCompletionRequest(model, messages, stream, streamOptions, m, null, temperature, topP,
                topK, n, stop, seed, presencePenalty, frequencyPenalty, user);
    }

    public ChatCompletionRequest withSampling(Double t, Double p, Integer k, Long s) {
        return new ChatCompletionRequest(model, messages, stream, streamOptions, maxTokens, maxCompletionTokens, t, p,
                k, n, stop, s, presencePenalty, frequencyPenalty, user);
    }

    public ChatCompletionRequest withStop(List<String> s) {
        return new ChatCompletionRequest(model, messages, stream, streamOptions, maxTokens, maxCompletionTokens, temperature, topP,
                topK, n, s, seed, presencePenalty, frequencyPenalty, user);
    }

    static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
