package dev.ensemble.job.worker;

import java.util.UUID;

/** A claimed job as a worker sees it: a snapshot taken when the claim committed. */
public record JobRun(UUID jobId, UUID ownerId, String kind, String queue, String modelType, String modelId,
                     String request, int attempt, int maxAttempts, String description) {
}
