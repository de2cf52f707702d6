package dev.ensemble.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.UUID;

/**
 * The shape of every event on every topic. {@code id} de-duplicates, {@code type} names the
 * event ({@code user.registered}), {@code subject} is the aggregate id (also the record key, so one
 * aggregate's events stay in order), and {@code data} is versioned by {@code data_version}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EventEnvelope(
        UUID id,
        String type,
        @JsonProperty("occurred_at") Instant occurredAt,
        String subject,
        String source,
        @JsonProperty("data_version") int dataVersion,
        @JsonProperty("request_id") String requestId,
        JsonNode data) {
}
