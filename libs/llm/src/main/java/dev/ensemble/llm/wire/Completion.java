package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A text completion ({@code object: text_completion}); the same shape is used for each streamed
 * event of {@code /v1/completions} (with a partial {@code text}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Completion(@JsonProperty("id") String id,
                         @JsonProperty("object") String object,
                         @JsonProperty("created") long created,
                         @JsonProperty("model") String model,
                         @JsonProperty("choices") List<Choice> choices,
                         @JsonProperty("usage") Usage usage) {

    public static final String OBJECT = "text_completion";

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(@JsonProperty("text") String text,
                         @JsonProperty("index") int index,
                         @JsonProperty("logprobs") Object logprobs,
                         @JsonProperty("finish_reason") String finishReason) {
    }

    public static Completion of(String id, long created, String model, String text, String finishReason, Usage usage) {
        return new Completion(id, OBJECT, created, model, List.of(new Choice(text, 0, null, finishReason)), usage);
    }

    public String text() {
        return choices == null || choices.isEmpty() || choices.get(0).text() == null ? "" : choices.get(0).text();
    }

    public String finishReason() {
        return choices == null || choices.isEmpty() ? null : choices.get(0).finishReason();
    }
}
