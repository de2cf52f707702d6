package dev.ensemble.events.outbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes outbox rows to Kafka in creation order and marks them sent once the broker
 * acknowledged them. Runs on a short timer and right after a transaction adds an event; rows are
 * claimed with {@code FOR UPDATE SKIP LOCKED}, so several replicas never publish the same row at
 * once. A crash between the send and the mark re-sends the row: delivery is at-least-once and
 * consumers de-duplicate by event id.
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "outbox";
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;

    @Inject
    @Channel(CHANNEL)
    MutinyEmitter<String> emitter;

    @Inject
    Vertx vertx;

    private final AtomicBoolean nudged = new AtomicBoolean();

    /** Asks for a relay pass shortly, after the current transaction has had time to commit. */
    void nudge() {
        if (nudged.compareAndSet(false, true)) {
            vertx.setTimer(15, id -> {
                nudged.set(false);
                // Hibernate Reactive needs a safe, duplicated context of its own.
                Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
                VertxContextSafetyToggle.setContextSafe(context, true);
                context.runOnContext(v -> relayNow().subscribe().with(n -> { },
                        e -> LOG.debugf("outbox relay pass failed: %s", e.getMessage())));
            });
        }
    }

    // Not before start-up completes: the emitter's channel is wired during start-up.
    @Scheduled(every = "${ensemble.outbox.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> poll() {
        return relayNow().onFailure().invoke(e -> LOG.warnf("outbox relay pass failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Publishes what is pending; answers how many rows were sent. */
    public Uni<Integer> relayNow() {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session
                .createNativeQuery("SELECT * FROM outbox_events WHERE sent_at IS NULL ORDER BY created_at "
                        + "LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED", OutboxEvent.class)
                .getResultList())
                .chain(rows -> rows.isEmpty() ? Uni.createFrom().item(0) : send(rows)));
    }

    private Uni<Integer> send(List<OutboxEvent> rows) {
        Context context = Vertx.currentContext();
        List<Uni<Void>> sends = new ArrayList<>(rows.size());
        for (OutboxEvent row : rows) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("event_type", row.eventType.getBytes(StandardCharsets.UTF_8));
            headers.add("event_id", row.id.toString().getBytes(StandardCharsets.UTF_8));
            if (row.requestId != null) {
                headers.add("request_id", row.requestId.getBytes(StandardCharsets.UTF_8));
            }
            OutgoingKafkaRecordMetadata<String> meta = OutgoingKafkaRecordMetadata.<String>builder()
                    .withTopic(row.topic).withKey(row.eventKey).withHeaders(headers).build();
            sends.add(emitter.sendMessage(Message.of(row.payload, Metadata.of(meta)))
                    .ifNoItem().after(Duration.ofSeconds(10)).fail()
                    .onItem().invoke(() -> row.sentAt = Instant.now())
                    .onFailure().invoke(e -> {
                        row.attempts++;
                        row.lastError = String.valueOf(e.getMessage());
                    })
                    .onFailure().recoverWithNull());
        }
        return Uni.join().all(sends).andCollectFailures()
                // Acks arrive on the producer's thread; the session must be used on its own context.
                .emitOn(task -> context.runOnContext(v -> task.run()))
                .map(done -> (int) rows.stream().filter(r -> r.sentAt != null).count());
    }

    /** Sent rows are kept a day for inspection, then removed. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> purge() {
        return Panache.withTransaction(() -> OutboxEvent.delete("sentAt < ?1",
                Instant.now().minus(Duration.ofDays(1)))).replaceWithVoid();
    }
}
