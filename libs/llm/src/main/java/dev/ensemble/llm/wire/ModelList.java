package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /v1/models}: {@code {"object":"list","data":[...]}}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelList(@JsonProperty("object") String object, @JsonProperty("data") List<Model> data) {

    public static ModelList of(List<Model> models) {
        return new ModelList("list", models);
    }
}
