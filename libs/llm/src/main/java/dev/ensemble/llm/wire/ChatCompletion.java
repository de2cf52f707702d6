package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A non-streamed chat answer ({@code object: chat.completion}). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletion(@JsonProperty("id") String id,
                             @JsonProperty("object") String object,
                             @JsonProperty("created") long created,
                             @JsonProperty("model") String model,
                             @JsonProperty("choices") List<Choice> choices,
                             @JsonProperty("usage") Usage usage,
                             @JsonProperty("system_fingerprint") String systemFingerprint) {

    public static final String OBJECT = "chat.completion";

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(@JsonProperty("index") int index,
                         @JsonProperty("message") ChatMessage message,
                         @JsonProperty("finish_reason") @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {
    }

    /** One choice with an assistant message. */
    public static ChatCompletion of(String id, long created, String model, String content, String finishReason, Usage usage) {
        return new ChatCompletion(id, OBJECT, created, model,
                List.of(new Choice(0, ChatMessage.assistant(content), finishReason)), usage, null);
    }

    /** The first choice's text ("" when there is none). */
    public String content() {
        return choices == null || choices.isEmpty() || choices.get(0).message() == null || choices.get(0).message().content() == null
                ? "" : choices.get(0).message().content();
    }

    /** The first choice's finish reason. */
    public String finishReason() {
        return choices == null || choices.isEmpty() ? null : choices.get(0).finishReason();
    }
}
