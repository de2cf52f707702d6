package dev.ensemble.job.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.events.Events;
import dev.ensemble.job.Job;
import dev.ensemble.job.JobLog;
import dev.ensemble.job.routing.Router;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jobs as the API shows them: a superset of seed 003 and Ai-semble's fields. The one conflict is
 * {@code progress}: a fraction (0..1) in seed 003 and on the canonical API, Ai-semble's
 * {@code {completed,total,percentage}} object (detail) or percentage (list) under the
 * {@code aisemble} dialect. {@code progress_detail} always carries the object.
 */
public final class JobViews {

    public static final String AISEMBLE = "aisemble";

    private JobViews() {
    }

    public static Map<String, Object> submitted(Job job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", JobIds.format(job.id));
        m.put("job_type", job.kind);
        if (job.name != null) {
            m.put("name", job.name);
        }
        m.put("status", Job.PENDING.equals(job.status) ? "queued" : job.status);
        m.put("created_at", job.createdAt);
        m.put("scheduled_at", job.scheduledAt);
        m.put("estimated_duration", hms(job.estimatedSeconds));
        m.put("estimated_completion", estimatedCompletion(job));
        m.put("priority", JobService.priorityName(job.priority));
        m.put("queue", job.queue);
        m.put("framework", job.framework);
        if (job.modelType != null) {
            m.put("model_type", job.modelType);
        }
        if (job.modelId != null) {
            m.put("model_id", job.modelId);
        }
        return m;
    }

    public static Map<String, Object> detail(Job job, List<JobLog> logs, String dialect) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", JobIds.format(job.id));
        m.put("job_type", job.kind);
        m.put("type", job.jobType != null ? job.jobType : job.kind);
        if (job.name != null) {
            m.put("name", job.name);
        }
        m.put("status", job.status);
        m.put("queue", job.queue);
        m.put("framework", job.framework);
        m.put("engine", "batch".equals(job.kind) ? null : Router.engine(job.modelType));
        m.put("model_type", job.modelType);
        m.put("model_id", job.modelId);
        m.put("service", job.service);
        m.put("description", job.description);
        m.put("priority", JobService.priorityName(job.priority));
        m.put("created_at", job.createdAt);
        m.put("updated_at", job.updatedAt);
        m.put("scheduled_at", job.scheduledAt);
        m.put("started_at", job.startedAt);
        m.put("completed_at", job.completedAt);
        m.put("cancelled_at", job.cancelledAt);
        m.put("estimated_duration", hms(job.estimatedSeconds));
        m.put("estimated_completion", job.finished() ? job.completedAt : estimatedCompletion(job));
        Map<String, Object> detail = progressDetail(job);
        m.put("progress", AISEMBLE.equals(dialect) ? detail : job.progress);
        m.put("progress_detail", detail);
        m.put("results_available", Job.COMPLETED.equals(job.status) && job.result != null);
        m.put("result", tree(job.result));
        m.put("error", job.error);
        m.put("attempts", job.attempts);
        m.put("reservation_id", job.reservationId);
        if (logs != null) {
            m.put("logs", logs.stream().map(JobViews::log).toList());
        }
        return m;
    }

    public static Map<String, Object> summary(Job job, String dialect) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", JobIds.format(job.id));
        m.put("job_type", job.kind);
        m.put("type", job.jobType != null ? job.jobType : job.kind);
        if (job.name != null) {
            m.put("name", job.name);
        }
        m.put("status", job.status);
        m.put("queue", job.queue);
        m.put("progress", AISEMBLE.equals(dialect) ? percentage(job) : job.progress);
        m.put("priority", JobService.priorityName(job.priority));
        m.put("created_at", job.createdAt);
        m.put("updated_at", job.updatedAt);
        if (job.modelType != null) {
            m.put("model_type", job.modelType);
        }
        if (job.modelId != null) {
            m.put("model_id", job.modelId);
        }
        return m;
    }

    public static Map<String, Object> cancelled(Job job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", JobIds.format(job.id));
        m.put("status", job.status);
        m.put("created_at", job.createdAt);
        m.put("updated_at", job.updatedAt);
        m.put("cancelled_at", job.cancelledAt);
        m.put("error", job.error);
        m.put("message", "Job cancelled successfully");
        return m;
    }

    public static Map<String, Object> log(JobLog l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timestamp", l.ts);
        m.put("level", l.level);
        m.put("message", l.message);
        return m;
    }

    static Map<String, Object> progressDetail(Job job) {
        Map<String, Object> p = new LinkedHashMap<>();
        int total = job.stepsTotal > 0 ? job.stepsTotal : 1;
        int completed = job.stepsTotal > 0 ? job.stepsCompleted : (Job.COMPLETED.equals(job.status) ? 1 : 0);
        p.put("completed", completed);
        p.put("total", total);
        p.put("percentage", percentage(job));
        return p;
    }

    static double percentage(Job job) {
        return Math.round(job.progress * 1000) / 10.0;
    }

    static Instant estimatedCompletion(Job job) {
        Instant from = job.startedAt != null ? job.startedAt : job.scheduledAt != null ? job.scheduledAt : job.createdAt;
        return from.plusSeconds(job.estimatedSeconds);
    }

    public static String hms(int seconds) {
        Duration d = Duration.ofSeconds(seconds);
        return String.format("%02d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    public static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Events.JSON.readTree(json);
        } catch (Exception e) {
            return null;
        }
    }
}
