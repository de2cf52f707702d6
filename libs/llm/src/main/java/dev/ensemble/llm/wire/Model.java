package dev.ensemble.llm.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of {@code GET /v1/models}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Model(@JsonProperty("id") String id, @JsonProperty("object") String object,
                    @JsonProperty("created") long created, @JsonProperty("owned_by") String ownedBy) {

    public static Model of(String id, long created, String ownedBy) {
        return new Model(id, "model", created, ownedBy);
    }
}
