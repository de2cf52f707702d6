package dev.ensemble.job.service;

import java.util.Map;

/** Submission bodies, as the seeds name their fields. */
public final class JobRequests {

    private JobRequests() {
    }

    /** Seed 003 {@code POST /jobs/training}; {@code priority}/{@code scheduled_at} as in Ai-semble. */
    public record Training(String modelType, String dataPath, Map<String, Object> hyperparameters, String description,
                           Boolean requiresGpu, String frameworkOverride, Object priority, String scheduledAt) {
    }

    /** Seed 003 {@code POST /jobs/inference}. */
    public record Inference(String modelId, String inputData, Map<String, Object> parameters, Object priority,
                            String scheduledAt) {
    }

    /** Ai-semble {@code POST /jobs}. */
    public record Batch(String name, String type, String service, Map<String, Object> parameters, Object priority,
                        String scheduledAt) {
    }
}
