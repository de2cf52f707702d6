package dev.ensemble.events.consumer;

import dev.ensemble.events.EventEnvelope;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Supplier;

/**
 * Idempotent consumption: an event's handling and the record that it was handled commit together,
 * so a redelivered event (after a crash or rebalance) is recognised and skipped.
 */
@ApplicationScoped
public class ProcessedEvents {

    /**
     * Runs {@code handler} in a transaction unless {@code consumer} already handled this event.
     *
     * @return true when the handler ran, false for a duplicate
     */
    public Uni<Boolean> once(String consumer, EventEnvelope event, Supplier<Uni<?>> handler) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session
                .createNativeQuery("INSERT INTO processed_events (consumer, event_id) VALUES (:c, :e) "
                        + "ON CONFLICT DO NOTHING")
                .setParameter("c", consumer)
                .setParameter("e", event.id())
                .executeUpdate()
                .chain(inserted -> inserted == 0
                        ? Uni.createFrom().item(false)
                        : handler.get().replaceWith(true))));
    }
}
