package dev.ensemble.events.job;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;
import java.util.UUID;

/**
 * A job's state change on {@code job.events}, data version 1; the subject (and record key) is the job
 * id, so one job's events stay in order. The envelope type is one of {@link #QUEUED}, {@link #STARTED},
 * {@link #PROGRESS}, {@link #COMPLETED}, {@link #FAILED}, {@link #CANCELLED}.
 *
 * <ul>
 *   <li>{@code jobType}: {@code training}, {@code inference} or {@code batch}.</li>
 *   <li>{@code status}: the job's status after the change ({@code pending}, {@code running},
 *   {@code completed}, {@code failed}, {@code cancelled}).</li>
 *   <li>{@code progress}: 0..1; {@code completed}/{@code total}: steps (epochs for training).</li>
 *   <li>{@code result}: for {@link #COMPLETED}, the job's result ({@code model_id}, {@code metrics}...).</li>
 *   <li>{@code attempt}: which run of the job this is (1 for the first, more after a retry or recovery).</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(
        UUID jobId,
        UUID ownerId,
        String jobType,
        String name,
        String queue,
        String status,
        Double progress,
        Integer completed,
        Integer total,
        String modelType,
        String modelId,
        Map<String, Object> result,
        String error,
        Integer attempt) {

    public static final int VERSION = 1;

    public static final String QUEUED = "job.queued";
    public static final String STARTED = "job.started";
    public static final String PROGRESS = "job.progress";
    public static final String COMPLETED = "job.completed";
    public static final String FAILED = "job.failed";
    public static final String CANCELLED = "job.cancelled";
}
