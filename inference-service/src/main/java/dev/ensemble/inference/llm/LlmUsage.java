package dev.ensemble.inference.llm;

import dev.ensemble.events.Topics;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.events.usage.UsageRecorded;
import dev.ensemble.llm.wire.Usage;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Token accounting: every completion (streamed or not, finished, cancelled or failed after some
 * tokens) is recorded here with its exact counts, and written once per flush interval through the
 * outbox as its own {@code usage.recorded} event (kind {@code tokens}, resource = model,
 * reference = the completion id, cost at the model's price). Completions are queued in memory
 * until the flush, like the prediction counts of {@code UsageRecorder}: a crash loses at most one
 * interval; what was flushed is delivered at least once.
 */
@ApplicationScoped
public class LlmUsage {

    private static final Logger LOG = Logger.getLogger(LlmUsage.class);

    /** One completion to bill. */
    public record Completed(UUID owner, String model, String provider, int promptTokens, int completionTokens,
                            BigDecimal cost, String referenceId, UUID reservationId, String requestId) {
    }

    @Inject
    Outbox outbox;

    @Inject
    LlmEngine engine;

    private final ConcurrentLinkedQueue<Completed> pending = new ConcurrentLinkedQueue<>();

    /**
     * Records one completion; nothing is recorded for one that used no tokens. Returns its cost.
     * {@code reservationId} (or null) is billing's hold for it, which the usage event settles.
     */
    public BigDecimal record(UUID owner, String model, String provider, Usage usage, String referenceId,
                             UUID reservationId, String requestId) {
        if (usage == null) {
            return BigDecimal.ZERO;
        }
        long total = (long) usage.promptTokens() + usage.completionTokens();
        BigDecimal cost = engine.cost(model, total);
        if (owner != null && total > 0) {
            pending.add(new Completed(owner, model, provider, usage.promptTokens(), usage.completionTokens(), cost,
                    referenceId, reservationId, requestId));
        }
        return cost;
    }

    @Scheduled(every = "${ensemble.llm.usage-flush-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduledFlush() {
        return flush().onFailure().invoke(e -> LOG.warnf("token usage flush failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Writes what was recorded, one event per completion; on failure they wait for the next pass. */
    public Uni<Integer> flush() {
        List<Completed> batch = new ArrayList<>();
        for (Completed c = pending.poll(); c != null && batch.size() < 500; c = pending.poll()) {
            batch.add(c);
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Panache.withTransaction(() -> Multi.createFrom().iterable(batch).onItem()
                        .transformToUniAndConcatenate(this::write).collect().asList())
                .map(List::size)
                .onFailure().invoke(e -> pending.addAll(batch));
    }

    private Uni<Void> write(Completed c) {
        UsageRecorded usage = new UsageRecorded(c.owner(), UsageRecorded.TOKENS, c.model(),
                BigDecimal.valueOf((long) c.promptTokens() + c.completionTokens()), (long) c.promptTokens(),
                (long) c.completionTokens(), c.referenceId(), c.reservationId(), c.cost(), engine.config().currency());
        return outbox.publish(Topics.USAGE_EVENTS, UsageRecorded.TYPE, c.owner().toString(), UsageRecorded.VERSION,
                c.requestId(), usage).replaceWithVoid();
    }
}
