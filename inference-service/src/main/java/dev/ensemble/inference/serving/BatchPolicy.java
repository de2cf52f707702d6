package dev.ensemble.inference.serving;

import java.time.Duration;

/**
 * How the engine serves one model: up to {@code batchSize} rows per run, waiting at most
 * {@code maxBatchDelay} for a batch to fill, between {@code minWorkers} and {@code maxWorkers}
 * worker threads, at most {@code queueCapacity} waiting requests, workers above the minimum
 * retiring after {@code workerIdle} without work, and the model unloading after
 * {@code unloadIdle} without requests (zero: never).
 */
public record BatchPolicy(int batchSize, Duration maxBatchDelay, int minWorkers, int maxWorkers,
                          int queueCapacity, Duration workerIdle, Duration unloadIdle) {

    public BatchPolicy {
        if (batchSize < 1 || minWorkers < 0 || maxWorkers < 1 || maxWorkers < minWorkers || queueCapacity < 1) {
            throw new IllegalArgumentException("invalid batch policy");
        }
    }

    /** Batching off: one request per run. */
    public BatchPolicy unbatched() {
        return new BatchPolicy(1, Duration.ZERO, minWorkers, maxWorkers, queueCapacity, workerIdle, unloadIdle);
    }
}
