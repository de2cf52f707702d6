package dev.ensemble.job.service;

import dev.ensemble.events.Events;
import dev.ensemble.events.Topics;
import dev.ensemble.events.job.JobControl;
import dev.ensemble.events.job.JobDispatch;
import dev.ensemble.events.job.JobEvent;
import dev.ensemble.events.outbox.Outbox;
import dev.ensemble.job.Job;
import dev.ensemble.job.JobLog;
import dev.ensemble.job.TrainedModel;
import dev.ensemble.job.config.JobConfig;
import dev.ensemble.job.routing.Router;
import dev.ensemble.job.worker.JobExecutor;
import dev.ensemble.job.worker.TrainingUsage;
import dev.ensemble.web.ApiException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Submitting, reading, listing and cancelling jobs; every change and its events commit together. */
@ApplicationScoped
public class JobService {

    public static final Map<String, Integer> PRIORITIES = Map.of("low", 1, "normal", 5, "high", 8, "urgent", 10,
            "critical", 10);

    @Inject
    Outbox outbox;

    @Inject
    Router router;

    @Inject
    JobConfig config;

    /** A job ready to be stored, validated and routed. */
    public record Draft(String kind, String jobType, String name, String service, String queue, String framework,
                        String modelType, String modelId, String description, Map<String, Object> request,
                        int priority, Instant scheduledAt, int estimatedSeconds) {
    }

    /** The job and whether this call created it (false: an earlier call with the same Idempotency-Key did). */
    public record Submitted(Job job, boolean created) {
    }

    @WithTransaction
    public Uni<Submitted> submit(UUID owner, String idempotencyKey, Draft draft) {
        return submit(owner, idempotencyKey, draft, UUID.randomUUID(), null);
    }

    /**
     * Stores the job as {@code jobId}, holding billing's {@code reservationId} (null: nothing held),
     * unless an earlier call with the same Idempotency-Key created one: then that job is answered.
     */
    @WithTransaction
    public Uni<Submitted> submit(UUID owner, String idempotencyKey, Draft draft, UUID jobId, UUID reservationId) {
        Uni<Job> existing = idempotencyKey == null ? Uni.createFrom().nullItem()
                : Job.<Job>find("ownerId = ?1 and idempotencyKey = ?2", owner, idempotencyKey).firstResult();
        return existing.chain(found -> {
            if (found != null) {
                return Uni.createFrom().item(new Submitted(found, false));
            }
            Instant now = Instant.now();
            Job job = new Job();
            job.id = jobId;
            job.ownerId = owner;
            job.reservationId = reservationId;
            job.kind = draft.kind();
            job.jobType = draft.jobType();
            job.name = draft.name();
            job.service = draft.service();
            job.status = Job.PENDING;
            job.queue = draft.queue();
            job.framework = draft.framework();
            job.modelType = draft.modelType();
            job.modelId = draft.modelId();
            job.description = draft.description();
            job.request = json(draft.request());
            job.priority = draft.priority();
            job.idempotencyKey = idempotencyKey;
            job.createdAt = now;
            job.updatedAt = now;
            job.scheduledAt = draft.scheduledAt() == null || draft.scheduledAt().isBefore(now) ? now : draft.scheduledAt();
            job.maxAttempts = config.worker().maxAttempts();
            job.estimatedSeconds = draft.estimatedSeconds();
            JobDispatch dispatch = new JobDispatch(job.id, owner, job.kind, job.queue, job.priority, job.scheduledAt);
            return job.persist()
                    .chain(() -> JobLog.of(job.id, "INFO", "queued on " + job.queue
                            + (job.scheduledAt.isAfter(now) ? ", not before " + job.scheduledAt : "")).persist())
                    .chain(() -> outbox.publish(Topics.jobQueue(job.queue), JobDispatch.TYPE, job.id.toString(),
                            JobDispatch.VERSION, null, dispatch))
                    .chain(() -> outbox.publish(Topics.JOB_EVENTS, JobEvent.QUEUED, job.id.toString(), JobEvent.VERSION,
                            null, event(job, null)))
                    .replaceWith(new Submitted(job, true));
        });
    }

    @WithSession
    public Uni<Job> findByKey(UUID owner, String key) {
        return Job.<Job>find("ownerId = ?1 and idempotencyKey = ?2", owner, key).firstResult();
    }

    @WithSession
    public Uni<Tuple2<Job, List<JobLog>>> find(UUID owner, UUID id, int logs) {
        return Job.<Job>find("id = ?1 and ownerId = ?2", id, owner).firstResult()
                .onItem().ifNull().failWith(() -> ApiException.notFound("job"))
                .chain(job -> JobLog.<JobLog>find("jobId", Sort.descending("id"), id).range(0, logs - 1).list()
                        .map(list -> {
                            List<JobLog> ordered = new java.util.ArrayList<>(list);
                            java.util.Collections.reverse(ordered);
                            return Tuple2.of(job, ordered);
                        }));
    }

    @WithSession
    public Uni<List<JobLog>> logs(UUID owner, UUID id, int limit, int offset) {
        return Job.count("id = ?1 and ownerId = ?2", id, owner).chain(n -> {
            if (n == 0) {
                throw ApiException.notFound("job");
            }
            return JobLog.<JobLog>find("jobId", Sort.ascending("id"), id).range(offset, offset + limit - 1).list();
        });
    }

    @WithSession
    public Uni<Tuple2<List<Job>, Long>> list(UUID owner, String status, int limit, int offset) {
        Parameters params = Parameters.with("owner", owner);
        String where = "ownerId = :owner";
        if (status != null) {
            where += " and status = :status";
            params.and("status", "queued".equals(status) ? Job.PENDING : status);
        }
        var query = Job.<Job>find(where, Sort.descending("createdAt", "id"), params);
        // One reactive session runs one query at a time: sequential, never combined.
        return query.range(offset, offset + limit - 1).list()
                .chain(list -> query.count().map(total -> Tuple2.of(list, total)));
    }

    /**
     * Cancels a pending or running job; a running one also gets a cancel command on {@code job.control}.
     * The row is locked first, so a worker's conditional updates wait and then find it cancelled.
     * A job holding billing's reservation settles it at zero ({@code usage.recorded} with nothing used).
     */
    @WithTransaction
    public Uni<Job> cancel(UUID owner, UUID id) {
        return Job.<Job>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .chain(job -> {
                    if (job == null || !owner.equals(job.ownerId)) {
                        throw ApiException.notFound("job");
                    }
                    if (job.finished()) {
                        throw new ApiException(400, "JOB_NOT_CANCELLABLE", "Job cannot be cancelled: it is " + job.status);
                    }
                    String before = job.status;
                    Instant now = Instant.now();
                    job.status = Job.CANCELLED;
                    job.cancelledAt = now;
                    job.completedAt = now;
                    job.updatedAt = now;
                    job.error = "Job cancelled by user";
                    job.leaseUntil = null;
                    return JobLog.of(id, "INFO", "cancelled by its owner (was " + before + ")").persist()
                            .chain(() -> outbox.publish(Topics.JOB_EVENTS, JobEvent.CANCELLED, id.toString(),
                                    JobEvent.VERSION, null, event(job, "Job cancelled by user")))
                            .chain(() -> Job.RUNNING.equals(before)
                                    ? outbox.publish(Topics.JOB_CONTROL, JobControl.TYPE, id.toString(),
                                    JobControl.VERSION, null, new JobControl(id, owner, JobControl.CANCEL))
                                    : Uni.createFrom().nullItem())
                            .chain(() -> TrainingUsage.settleUnused(outbox, job))
                            .replaceWith(job);
                });
    }

    @WithSession
    public Uni<TrainedModel> model(UUID owner, String modelId) {
        return TrainedModel.<TrainedModel>find("id = ?1 and ownerId = ?2", modelId, owner).firstResult();
    }

    @WithSession
    public Uni<Map<String, Object>> export(UUID owner) {
        return Job.<Job>find("ownerId", Sort.ascending("createdAt"), owner).list()
                .chain(jobList -> dev.ensemble.job.Dataset.<dev.ensemble.job.Dataset>find("ownerId",
                                Sort.ascending("createdAt"), owner).list()
                        .chain(dsList -> TrainedModel.<TrainedModel>find("ownerId", Sort.ascending("createdAt"), owner)
                                .list().map(models -> io.smallrye.mutiny.tuples.Tuple3.of(jobList, dsList, models))))
                .map(t -> {
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("jobs", t.getItem1().stream().map(j -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("job_id", JobIds.format(j.id));
                        m.put("job_type", j.kind);
                        m.put("name", j.name);
                        m.put("status", j.status);
                        m.put("queue", j.queue);
                        m.put("model_type", j.modelType);
                        m.put("request", JobViews.tree(j.request));
                        m.put("result", JobViews.tree(j.result));
                        m.put("error", j.error);
                        m.put("reservation_id", j.reservationId);
                        m.put("created_at", j.createdAt);
                        m.put("completed_at", j.completedAt);
                        return m;
                    }).toList());
                    data.put("datasets", t.getItem2().stream().map(DatasetView::of).toList());
                    data.put("models", t.getItem3().stream().map(mo -> Map.of("model_id", mo.id, "model_type",
                            mo.modelType, "format", mo.format, "model_path", mo.relPath, "job_id",
                            JobIds.format(mo.jobId), "created_at", mo.createdAt)).toList());
                    return data;
                });
    }

    /** Parses Ai-semble's priority names or a number 0..10. */
    public static int priority(Object value) {
        if (value == null) {
            return PRIORITIES.get("normal");
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && n.intValue() >= 0 && n.intValue() <= 10) {
            return n.intValue();
        }
        if (value instanceof String s && PRIORITIES.containsKey(s.toLowerCase(Locale.ROOT))) {
            return PRIORITIES.get(s.toLowerCase(Locale.ROOT));
        }
        throw ApiException.badRequest("priority", "must be low, normal, high, urgent or a whole number 0-10");
    }

    public static String priorityName(int p) {
        return switch (p) {
            case 1 -> "low";
            case 5 -> "normal";
            case 8 -> "high";
            case 10 -> "urgent";
            default -> Integer.toString(p);
        };
    }

    public static Instant scheduledAt(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            try {
                at = Instant.parse(value.trim());
            } catch (DateTimeParseException e2) {
                throw ApiException.badRequest("scheduled_at", "must be an ISO-8601 date-time such as 2024-01-01T12:00:00Z");
            }
        }
        if (at.isAfter(Instant.now().plus(Duration.ofDays(366)))) {
            throw ApiException.badRequest("scheduled_at", "must be within a year");
        }
        return at;
    }

    static JobEvent event(Job job, String error) {
        return new JobEvent(job.id, job.ownerId, job.kind, job.name, job.queue, job.status, job.progress,
                job.stepsCompleted, job.stepsTotal, job.modelType, job.modelId, null, error, job.attempts);
    }

    static String json(Object value) {
        try {
            return Events.JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    public Router router() {
        return router;
    }

    public static String modelFamily(String modelType) {
        return JobExecutor.family(modelType);
    }
}
