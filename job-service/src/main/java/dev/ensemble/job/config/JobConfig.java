package dev.ensemble.job.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Map;

/** job-service settings. */
@ConfigMapping(prefix = "ensemble.jobs")
public interface JobConfig {

    /** The only directory tree a job's {@code data_path} may point into; each user has a folder below it. */
    @WithDefault("${ENSEMBLE_DATA_DIR:.ensemble/data}")
    String dataRoot();

    /** Model storage, shared with inference-service: {@code <root>/<owner>/<model_id>/}. */
    @WithDefault("${ENSEMBLE_MODEL_DIR:.ensemble/models}")
    String modelRoot();

    /** Largest page a listing returns. */
    @WithDefault("500")
    int maxPageSize();

    Datasets datasets();

    Worker worker();

    Routing routing();

    Guardrails guardrails();

    interface Datasets {
        /** Largest upload (bytes). */
        @WithDefault("104857600")
        long maxUploadBytes();

        /** Largest total size a zip may unpack to (bytes). */
        @WithDefault("524288000")
        long maxUnpackedBytes();

        /** Most entries a zip may hold. */
        @WithDefault("20000")
        int maxZipEntries();
    }

    interface Worker {
        /** Whether this process runs jobs (the worker role), besides serving the API. */
        @WithDefault("true")
        boolean enabled();

        /** The queues this worker takes jobs from; empty means all queues of the routing table. */
        @WithDefault("all")
        List<String> queues();

        /** Jobs run at once by this worker. */
        @WithDefault("1")
        int concurrency();

        /** How long a claim holds without renewal; a worker that stops renewing loses its job to another. */
        @WithDefault("30s")
        java.time.Duration lease();

        /** How often the worker looks for due jobs and expired leases without being told. */
        @WithDefault("2s")
        java.time.Duration pollInterval();

        /** First retry delay after a transient failure; doubles per attempt. */
        @WithDefault("2s")
        java.time.Duration retryBackoff();

        /** Attempts before a job fails for good (a worker's death counts as an attempt). */
        @WithDefault("3")
        int maxAttempts();
    }

    /**
     * Spending guardrails (billing-service): before a training job is queued, its estimated cost
     * (estimated duration x {@link #trainingPricePerHour()}, at least {@link #minimumHold()}) is
     * reserved with billing under the caller's own token; a refusal is billing's 402
     * ({@code SPENDING_LIMIT}, {@code INSUFFICIENT_CREDITS}) and no job is created, and billing being
     * unreachable is a 503 (fail closed). The job's {@code usage.recorded} event settles the hold.
     * Billing's URL: {@code ensemble.billing.url} (libs/billing-client).
     */
    interface Guardrails {
        /** Whether training jobs reserve their estimated cost with billing before they are queued. */
        @WithDefault("true")
        boolean enabled();

        /** Price of an hour of training, in the billing account's currency (billing's {@code prices.training.default}). */
        @WithDefault("0.50")
        java.math.BigDecimal trainingPricePerHour();

        /** The least a training job holds, however short its estimate. */
        @WithDefault("0.01")
        java.math.BigDecimal minimumHold();

        /** The hold lasts the estimated duration times this factor, plus {@link #holdMargin()} (retries, queueing). */
        @WithDefault("3")
        int holdFactor();

        @WithDefault("15m")
        java.time.Duration holdMargin();

        /** The longest hold billing grants ({@code ensemble.billing.guardrails.max-ttl-seconds}, 24 h). */
        @WithDefault("24h")
        java.time.Duration maxHold();
    }

    /**
     * The routing table (seed 003): an explicit {@code framework_override} first, then model type and
     * GPU, then the default queue. {@code {device}} in an override stands for {@code gpu} or {@code cpu}.
     */
    interface Routing {
        /** model type -> queue when no GPU is required. */
        Map<String, String> cpu();

        /** model type -> queue when a GPU is required. */
        Map<String, String> gpu();

        /** framework_override value -> queue. */
        Map<String, String> overrides();

        @WithDefault("pytorch-2.1-cpu")
        String defaultQueue();

        /** Queue of generic batch jobs. */
        @WithDefault("default")
        String batchQueue();
    }
}
