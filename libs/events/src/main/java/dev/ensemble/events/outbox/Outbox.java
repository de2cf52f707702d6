package dev.ensemble.events.outbox;

import dev.ensemble.events.EventEnvelope;
import dev.ensemble.events.Events;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Instant;

/**
 * Records an event in the outbox. Call it inside the transaction that makes the change
 * ({@code @WithTransaction}): either both commit or neither does. The relay publishes it.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    OutboxRelay relay;

    @ConfigProperty(name = "quarkus.application.name", defaultValue = "ensemble")
    String source;

    /** Adds an event for {@code data} to the current transaction and returns its envelope. */
    public Uni<EventEnvelope> publish(String topic, String type, String subject, int dataVersion,
                                      String requestId, Object data) {
        EventEnvelope envelope = Events.envelope(type, subject, source, dataVersion, requestId, data);
        OutboxEvent row = new OutboxEvent();
        row.id = envelope.id();
        row.topic = topic;
        row.eventKey = subject;
        row.eventType = type;
        row.payload = Events.write(envelope);
        row.requestId = requestId;
        row.createdAt = Instant.now();
        return row.persist().invoke(relay::nudge).replaceWith(envelope);
    }
}
