package dev.ensemble.job.worker;

import dev.ensemble.events.Topics;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.events.usage.UsageRecorded;
import dev.ensemble.job.Job;
import io.smallrye.mutiny.Uni;

import java.math.BigDecimal;

/**
 * The {@code usage.recorded} events of training jobs on {@code usage.events} (key = owner). A job
 * that completed reports its training seconds, priced by billing; one that failed for good or was
 * cancelled reports nothing used (quantity 0, cost 0). Both name the job's billing reservation when it
 * has one, so billing settles that hold (with the priced cost, or at zero) instead of waiting for it
 * to expire. Published through the outbox, in the transaction that ends the job.
 */
public final class TrainingUsage {

    private TrainingUsage() {
    }

    /** What a completed training job used: {@code seconds} of training, priced by billing. */
    public static UsageRecorded used(Job job, BigDecimal seconds) {
        return new UsageRecorded(job.ownerId, UsageRecorded.TRAINING, job.modelType, seconds, null, null,
                job.id.toString(), job.reservationId, null, null);
    }

    /** Nothing billable: settles the job's hold at zero. */
    public static UsageRecorded unused(Job job) {
        return new UsageRecorded(job.ownerId, UsageRecorded.TRAINING, job.modelType, BigDecimal.ZERO, null, null,
                job.id.toString(), job.reservationId, BigDecimal.ZERO, null);
    }

    public static Uni<?> publish(Outbox outbox, UsageRecorded usage) {
        return outbox.publish(Topics.USAGE_EVENTS, UsageRecorded.TYPE, usage.userId().toString(),
                UsageRecorded.VERSION, null, usage);
    }

    /** Settles the hold of a job that ended without billable work; nothing when it holds nothing. */
    public static Uni<Void> settleUnused(Outbox outbox, Job job) {
        return job.reservationId == null ? Uni.createFrom().voidItem() : publish(outbox, unused(job)).replaceWithVoid();
    }
}
