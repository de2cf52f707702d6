package dev.ensemble.events.job;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.UUID;

/**
 * {@code job.dispatched} on {@code jobs.<queue>}, data version 1: a job is ready for a worker of that
 * queue. The subject (and key) is the job id. The job's row in job-service's database stays the
 * source of truth: a worker claims the job there (conditionally), so a redelivered dispatch never
 * runs a job twice.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobDispatch(
        UUID jobId,
        UUID ownerId,
        String jobType,
        String queue,
        int priority,
        Instant scheduledAt) {

    public static final String TYPE = "job.dispatched";
    public static final int VERSION = 1;
}
