package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.Set;

/**
 * One chat message. {@code content} may arrive as a string or, as newer clients send it, as an
 * array of parts of which the {@code text} parts are joined.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(@JsonProperty("role") String role,
                          @JsonProperty("content") @JsonDeserialize(using = Json.ContentDeserializer.class) String content,
                          @JsonProperty("name") String name) {

    /** The roles accepted (OpenAI's, {@code developer} being the newer name of {@code system}). */
    public static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, null);
    }
}
