package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** OpenAI's error body: {@code {"error":{"message","type","param","code"}}}. */
public record ErrorResponse(@JsonProperty("error") Body error) {

    /** The inner object; {@code param} and {@code code} are written as null when absent, as OpenAI does. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Body(@JsonProperty("message") String message, @JsonProperty("type") String type,
                       @JsonProperty("param") String param, @JsonProperty("code") String code) {
    }

    public static ErrorResponse of(String message, String type, String param, String code) {
        return new ErrorResponse(new Body(message, type, param, code));
    }
}
