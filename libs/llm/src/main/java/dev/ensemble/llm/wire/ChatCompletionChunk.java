package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One streamed chat event ({@code object: chat.completion.chunk}). The first chunk's delta carries
 * the role, the following ones the content, the last choice chunk the {@code finish_reason}; with
 * {@code include_usage} a final chunk has empty {@code choices} and the {@code usage}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(@JsonProperty("id") String id,
                                  @JsonProperty("object") String object,
                                  @JsonProperty("created") long created,
                                  @JsonProperty("model") String model,
                                  @JsonProperty("choices") List<Choice> choices,
                                  @JsonProperty("usage") Usage usage) {

    public static final String OBJECT = "chat.completion.chunk";

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Choice(@JsonProperty("index") int index,
                         @JsonProperty("delta") Delta delta,
                         @JsonProperty("finish_reason") @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(@JsonProperty("role") String role, @JsonProperty("content") String content) {
    }

    /** The content of the first choice's delta, or null. */
    public String content() {
        return choices == null || choices.isEmpty() || choices.get(0).delta() == null ? null : choices.get(0).delta().content();
    }

    /** The first choice's finish reason, or null. */
    public String finishReason() {
        return choices == null || choices.isEmpty() ? null : choices.get(0).finishReason();
    }
}
