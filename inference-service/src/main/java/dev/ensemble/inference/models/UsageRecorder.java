package dev.ensemble.inference.models;

import dev.ensemble.events.Topics;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.events.usage.UsageRecorded;
import dev.ensemble.inference.Model;
import dev.ensemble.inference.serving.Tensor;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Counts predictions per model and, once per flush interval, writes in one transaction a
 * {@code usage.recorded} event per model (kind {@code prediction}, quantity = predictions, its own
 * event id) through the outbox, together with the model's durable request totals. A crash loses at
 * most one interval of counts; what was flushed is delivered at least once.
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class);

    @Inject
    Outbox outbox;

    private static final class Counts {
        final UUID owner;
        final String name;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong predictions = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final DoubleAdder latencyMs = new DoubleAdder();

        Counts(UUID owner, String name) {
            this.owner = owner;
            this.name = name;
        }
    }

    private record Drained(UUID model, UUID owner, String name, long requests, long predictions, long errors,
                           double latencyMs) {
    }

    private final Map<UUID, Counts> counts = new ConcurrentHashMap<>();

    /**
     * {@code prediction}, metered when it ends: {@code rows} predictions, or an error, with the latency
     * since {@code startNanos} (a request's start).
     */
    public Uni<Tensor> metered(ServedModel m, int rows, long startNanos, Uni<Tensor> prediction) {
        return prediction
                .onFailure().invoke(e -> record(m, 0, (System.nanoTime() - startNanos) / 1e6, true))
                .onItem().invoke(out -> record(m, rows, (System.nanoTime() - startNanos) / 1e6, false));
    }

    /** One request for {@code rows} predictions (none when it failed). */
    public void record(ServedModel m, int rows, double latencyMs, boolean error) {
        Counts c = counts.computeIfAbsent(m.id, id -> new Counts(m.ownerId, m.name));
        c.requests.incrementAndGet();
        if (error) {
            c.errors.incrementAndGet();
        } else {
            c.predictions.addAndGet(rows);
        }
        c.latencyMs.add(latencyMs);
    }

    /** Requests recorded but not yet flushed (for totals that are always current). */
    public long[] unflushed(UUID model) {
        Counts c = counts.get(model);
        return c == null ? new long[]{0, 0} : new long[]{c.requests.get(), c.errors.get()};
    }

    public double unflushedLatency(UUID model) {
        Counts c = counts.get(model);
        return c == null ? 0 : c.latencyMs.sum();
    }

    @Scheduled(every = "${ensemble.inference.usage.flush-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduledFlush() {
        return flush().onFailure().invoke(e -> LOG.warnf("usage flush failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Writes what was counted; on failure the counts are put back for the next pass. */
    public Uni<Integer> flush() {
        List<Drained> drained = new ArrayList<>();
        for (var e : counts.entrySet()) {
            Counts c = e.getValue();
            long req = c.requests.getAndSet(0);
            if (req == 0) {
                continue;
            }
            long pred = c.predictions.getAndSet(0);
            long err = c.errors.getAndSet(0);
            double lat = c.latencyMs.sumThenReset();
            drained.add(new Drained(e.getKey(), c.owner, c.name, req, pred, err, lat));
        }
        if (drained.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Panache.withTransaction(() -> Multi.createFrom().iterable(drained).onItem()
                        .transformToUniAndConcatenate(this::write).collect().asList())
                .map(List::size)
                .onFailure().invoke(e -> drained.forEach(this::putBack));
    }

    private Uni<Void> write(Drained d) {
        Uni<Integer> totals = Model.update("totalRequests = totalRequests + ?1, totalErrors = totalErrors + ?2, "
                + "totalLatencyMs = totalLatencyMs + ?3 where id = ?4", d.requests, d.errors, d.latencyMs, d.model);
        if (d.predictions == 0) {
            return totals.replaceWithVoid();
        }
        UsageRecorded usage = new UsageRecorded(d.owner, UsageRecorded.PREDICTION, d.name,
                BigDecimal.valueOf(d.predictions), null, null, d.model.toString(), null, null, null);
        return totals.chain(() -> outbox.publish(Topics.USAGE_EVENTS, UsageRecorded.TYPE, d.owner.toString(),
                UsageRecorded.VERSION, null, usage)).replaceWithVoid();
    }

    private void putBack(Drained d) {
        Counts c = counts.computeIfAbsent(d.model, id -> new Counts(d.owner, d.name));
        c.requests.addAndGet(d.requests);
        c.predictions.addAndGet(d.predictions);
        c.errors.addAndGet(d.errors);
        c.latencyMs.add(d.latencyMs);
    }

    /** Forgets a deleted model's pending counts after one last flush attempt. */
    public void forget(UUID model) {
        counts.remove(model);
    }
}
