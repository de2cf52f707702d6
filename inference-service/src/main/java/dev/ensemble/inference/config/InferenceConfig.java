package dev.ensemble.inference.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** inference-service settings. */
@ConfigMapping(prefix = "ensemble.inference")
public interface InferenceConfig {

    /**
     * The model storage root, shared with job-service: uploads land under {@code uploads/}, trained
     * models arrive with paths relative to it.
     */
    @WithDefault("${ENSEMBLE_MODEL_DIR:.ensemble/models}")
    String storageDir();

    /** Largest page a listing returns. */
    @WithDefault("500")
    int maxPageSize();

    Quota quota();

    Serving serving();

    Usage usage();

    /** Per-user storage and upload limits (AIServe.Farm's quota). */
    interface Quota {
        @WithDefault("100G")
        MemorySize storageLimit();

        /** Largest single model file; larger uploads are answered 413. */
        @WithDefault("10G")
        MemorySize maxFileSize();

        @WithDefault("50")
        int uploadsPerHour();

        @WithDefault("500")
        int uploadsPerDay();
    }

    /** Serving defaults; each model may override batch size, delay and workers. */
    interface Serving {
        /**
         * Rows per run at most. 64 rows within 4 ms gave 3.2x the one-by-one throughput at 64 clients
         * (32 / 2 ms: 2.7x; bench/results/serving*.md); a lone request never waits for the delay.
         */
        @WithDefault("64")
        int batchSize();

        @WithDefault("4ms")
        Duration maxBatchDelay();

        @WithDefault("1")
        int minWorkers();

        /**
         * {@code cpu}, {@code gpu} or {@code gpu:N}: where models run. A GPU is used when the model's
         * engine sees one (a CUDA build of its native library on a GPU node), the CPU otherwise.
         */
        @WithDefault("cpu")
        String device();

        /** Worker threads per model at most; on 2 cores more only add contention. */
        @WithDefault("2")
        int maxWorkers();

        /** Requests waiting per model before new ones are answered 503. */
        @WithDefault("512")
        int queueCapacity();

        /** A worker above the minimum retires after this long without work. */
        @WithDefault("60s")
        Duration workerIdle();

        /** A model unloads after this long without requests; 0 keeps it loaded. */
        @WithDefault("0s")
        Duration unloadIdle();

        /** Models loaded at once. */
        @WithDefault("1")
        int loadThreads();

        /** Load every ready model at start; otherwise each loads on its first request. */
        @WithDefault("true")
        boolean loadOnStart();

        /** Rows one predict request may carry. */
        @WithDefault("1024")
        int maxRowsPerRequest();

        /** How long a predict request waits for its answer (including a lazy load). */
        @WithDefault("60s")
        Duration requestTimeout();

        /** Largest batch size and workers a model may ask for. */
        @WithDefault("512")
        int maxBatchSize();

        @WithDefault("8")
        int maxWorkersLimit();
    }

    /** Usage events for billing: predictions are counted and sent per model at this interval. */
    interface Usage {
        @WithDefault("1s")
        Duration flushInterval();
    }
}
