package dev.ensemble.job.worker;

import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.events.job.JobEvent;
import dev.ensemble.events.model.ModelTrained;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.job.Job;
import dev.ensemble.job.JobLog;
import dev.ensemble.job.TrainedModel;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The worker's state transitions on the job row. Every change after the claim is conditional on the
 * row still being {@code running} under this worker's lease, so a job that was cancelled, or taken
 * over after this worker was presumed dead, never gets a second result. Each change and the events
 * it owes commit together (outbox).
 */
@ApplicationScoped
public class JobStore {

    @Inject
    Outbox outbox;

    /** Claims the most urgent due job of {@code queues}: highest priority first, then oldest. */
    @WithTransaction
    public Uni<JobRun> claimNext(List<String> queues, String worker, Duration lease) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "SELECT CAST(id AS VARCHAR) FROM jobs WHERE status = 'pending' AND queue IN (:queues) "
                                + "AND scheduled_at <= now() ORDER BY priority DESC, created_at LIMIT 1 "
                                + "FOR UPDATE SKIP LOCKED", String.class)
                .setParameter("queues", queues)
                .getResultList())
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().nullItem()
                        : Job.<Job>findById(UUID.fromString(ids.get(0))).chain(job -> start(job, worker, lease)));
    }

    private Uni<JobRun> start(Job job, String worker, Duration lease) {
        Instant now = Instant.now();
        job.status = Job.RUNNING;
        job.leaseOwner = worker;
        job.leaseUntil = now.plus(lease);
        job.attempts++;
        job.updatedAt = now;
        if (job.startedAt == null) {
            job.startedAt = now;
        }
        JobRun run = new JobRun(job.id, job.ownerId, job.kind, job.queue, job.modelType, job.modelId, job.request,
                job.attempts, job.maxAttempts, job.description);
        return JobLog.of(job.id, "INFO", "started on queue " + job.queue + " by worker " + worker
                        + " (attempt " + job.attempts + ")").persist()
                .chain(() -> event(job, JobEvent.STARTED, null, null))
                .replaceWith(run);
    }

    /** Renews the lease; 0 when the job is no longer this worker's to run. */
    @WithTransaction
    public Uni<Integer> heartbeat(UUID jobId, String worker, Duration lease) {
        return Job.update("leaseUntil = ?1 where id = ?2 and leaseOwner = ?3 and status = 'running'",
                Instant.now().plus(lease), jobId, worker);
    }

    @WithTransaction
    public Uni<Integer> progress(UUID jobId, String worker, Duration lease, int completed, int total,
                                 Map<String, Object> metrics) {
        Instant now = Instant.now();
        double fraction = total == 0 ? 0 : Math.min(1.0, (double) completed / total);
        return Job.update("stepsCompleted = ?1, stepsTotal = ?2, progress = ?3, leaseUntil = ?4, updatedAt = ?5 "
                        + "where id = ?6 and leaseOwner = ?7 and status = 'running'",
                completed, total, fraction, now.plus(lease), now, jobId, worker)
                .chain(n -> n == 0 ? Uni.createFrom().item(0) : Job.<Job>findById(jobId)
                        .chain(job -> event(job, JobEvent.PROGRESS, Map.of("metrics", metrics), null))
                        .replaceWith(n));
    }

    @WithTransaction
    public Uni<Void> log(UUID jobId, String level, String message) {
        return JobLog.of(jobId, level, message).persist().replaceWithVoid();
    }

    /** What a finished run leaves: its result, and for training the model and the billable seconds. */
    public record Outcome(Map<String, Object> result, TrainedModel model, ModelTrained announcement,
                          BigDecimal trainingSeconds) {
    }

    /** Completes the job if it is still this worker's; false when it was cancelled or taken over meanwhile. */
    @WithTransaction
    public Uni<Boolean> complete(UUID jobId, String worker, Outcome outcome) {
        Instant now = Instant.now();
        String result = json(outcome.result());
        return Job.update("status = 'completed', result = ?1, progress = 1.0, completedAt = ?2, updatedAt = ?2, "
                        + "leaseOwner = null, leaseUntil = null, stepsCompleted = stepsTotal "
                        + "where id = ?3 and leaseOwner = ?4 and status = 'running'", result, now, jobId, worker)
                .chain(n -> {
                    if (n == 0) {
                        return Uni.createFrom().item(false);
                    }
                    return Job.<Job>findById(jobId).chain(job -> {
                        Uni<?> chain = JobLog.of(jobId, "INFO", "completed").persist()
                                .chain(() -> event(job, JobEvent.COMPLETED, outcome.result(), null));
                        if (outcome.model() != null) {
                            chain = chain.chain(() -> TrainedModel.findById(outcome.model().id))
                                    .chain(existing -> existing != null ? Uni.createFrom().item(existing)
                                            : outcome.model().persist())
                                    .chain(() -> outbox.publish(Topics.MODEL_EVENTS, ModelTrained.TYPE,
                                            outcome.announcement().modelId().toString(), ModelTrained.VERSION, null,
                                            outcome.announcement()));
                        }
                        if (outcome.trainingSeconds() != null) {
                            // names the job's billing hold (if any): billing settles it with the priced cost
                            chain = chain.chain(() -> TrainingUsage.publish(outbox,
                                    TrainingUsage.used(job, outcome.trainingSeconds())));
                        } else {
                            chain = chain.chain(() -> TrainingUsage.settleUnused(outbox, job));
                        }
                        return chain.replaceWith(true);
                    });
                });
    }

    /**
     * Ends a failed run: back to {@code pending} after {@code retryAfter} when given (a transient
     * failure with attempts left), else {@code failed}.
     */
    @WithTransaction
    public Uni<Boolean> fail(UUID jobId, String worker, String error, Duration retryAfter) {
        Instant now = Instant.now();
        Uni<Integer> update = retryAfter != null
                ? Job.update("status = 'pending', scheduledAt = ?1, updatedAt = ?2, leaseOwner = null, leaseUntil = null, "
                        + "error = ?3 where id = ?4 and leaseOwner = ?5 and status = 'running'",
                now.plus(retryAfter), now, error, jobId, worker)
                : Job.update("status = 'failed', error = ?1, completedAt = ?2, updatedAt = ?2, leaseOwner = null, "
                        + "leaseUntil = null where id = ?3 and leaseOwner = ?4 and status = 'running'",
                error, now, jobId, worker);
        return update.chain(n -> n == 0 ? Uni.createFrom().item(false) : Job.<Job>findById(jobId)
                .chain(job -> JobLog.of(jobId, retryAfter != null ? "WARN" : "ERROR", retryAfter != null
                                ? "attempt " + job.attempts + " failed, retrying in " + retryAfter.toMillis() + " ms: " + error
                                : "failed: " + error).persist()
                        .chain(() -> event(job, retryAfter != null ? JobEvent.QUEUED : JobEvent.FAILED, null, error))
                        // failed for good: nothing is billed, billing's hold on the estimate is settled at zero
                        .chain(() -> retryAfter != null ? Uni.createFrom().voidItem()
                                : TrainingUsage.settleUnused(outbox, job)))
                .replaceWith(true));
    }

    /**
     * Recovery: running jobs whose lease expired (their worker died or hung) go back to
     * {@code pending}, to resume from their last checkpoint, or fail when out of attempts.
     */
    @WithTransaction
    public Uni<Integer> requeueExpired() {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "SELECT CAST(id AS VARCHAR) FROM jobs WHERE status = 'running' AND lease_until < now() "
                                + "LIMIT 100 FOR UPDATE SKIP LOCKED", String.class).getResultList())
                .chain(ids -> {
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (String id : ids) {
                        chain = chain.chain(() -> Job.<Job>findById(UUID.fromString(id)).chain(this::recover));
                    }
                    return chain.replaceWith(ids.size());
                });
    }

    private Uni<Void> recover(Job job) {
        Instant now = Instant.now();
        String lost = "worker " + job.leaseOwner + " stopped renewing its lease";
        job.leaseOwner = null;
        job.leaseUntil = null;
        job.updatedAt = now;
        if (job.attempts >= job.maxAttempts) {
            job.status = Job.FAILED;
            job.error = lost + "; no attempts left";
            job.completedAt = now;
            return JobLog.of(job.id, "ERROR", job.error).persist()
                    .chain(() -> event(job, JobEvent.FAILED, null, job.error))
                    .chain(() -> TrainingUsage.settleUnused(outbox, job)).replaceWithVoid();
        }
        job.status = Job.PENDING;
        return JobLog.of(job.id, "WARN", lost + "; queued again to resume from its last checkpoint").persist()
                .chain(() -> event(job, JobEvent.QUEUED, null, null)).replaceWithVoid();
    }

    @WithSession
    public Uni<Boolean> exists(UUID jobId) {
        return Job.count("id", jobId).map(n -> n > 0);
    }

    @WithSession
    public Uni<TrainedModel> model(String modelId, UUID owner) {
        return TrainedModel.<TrainedModel>find("id = ?1 and ownerId = ?2", modelId, owner).firstResult();
    }

    Uni<?> event(Job job, String type, Map<String, Object> result, String error) {
        JobEvent e = new JobEvent(job.id, job.ownerId, job.kind, job.name, job.queue, job.status, job.progress,
                job.stepsCompleted, job.stepsTotal, job.modelType, job.modelId, result, error, job.attempts);
        return outbox.publish(Topics.JOB_EVENTS, type, job.id.toString(), JobEvent.VERSION, null, e);
    }

    static String json(Object value) {
        try {
            return Events.JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalArgumentException("result is not JSON-serializable", e);
        }
    }
}
