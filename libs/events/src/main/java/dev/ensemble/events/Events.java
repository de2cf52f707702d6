package dev.ensemble.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.time.Instant;
import java.util.UUID;

/**
 * Writing and reading envelopes with one fixed JSON mapping (snake_case, ISO instants), independent
 * of how a service configures its REST mapper, so producers and consumers always agree.
 */
public final class Events {

    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Events() {
    }

    /** A new envelope for {@code data}. */
    public static EventEnvelope envelope(String type, String subject, String source, int dataVersion,
                                         String requestId, Object data) {
        JsonNode node = JSON.valueToTree(data);
        return new EventEnvelope(UUID.randomUUID(), type, Instant.now(), subject, source, dataVersion,
                requestId, node);
    }

    public static String write(EventEnvelope envelope) {
        try {
            return JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event cannot be written as JSON", e);
        }
    }

    /**
     * Reads an envelope; anything that is not a well-formed envelope is a {@link PoisonEventException},
     * which consumers send to the dead-letter topic instead of retrying.
     */
    public static EventEnvelope read(String json) {
        if (json == null || json.isBlank()) {
            throw new PoisonEventException("empty event");
        }
        try {
            EventEnvelope e = JSON.readValue(json, EventEnvelope.class);
            if (e.id() == null || e.type() == null || e.data() == null) {
                throw new PoisonEventException("event lacks id, type or data");
            }
            return e;
        } catch (JsonProcessingException e) {
            throw new PoisonEventException("event is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The envelope's data as the given contract type. */
    public static <T> T data(EventEnvelope envelope, Class<T> type) {
        try {
            return JSON.treeToValue(envelope.data(), type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PoisonEventException(envelope.type() + " data does not match its contract: "
                    + e.getMessage());
        }
    }
}
