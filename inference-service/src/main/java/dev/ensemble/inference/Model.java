package dev.ensemble.inference;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A registered model version, owned by one user. */
@Entity
@Table(name = "models")
public class Model extends PanacheEntityBase {
    public static final String LOADING = "loading";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String UNLOADED = "unloaded";

    @Id
    public UUID id;
    @Column(name = "owner_id")
    public UUID ownerId;
    public String name;
    public String version;
    public String format;
    public String framework;
    public String status;
    @Column(name = "storage_path")
    public String storagePath;
    @Column(name = "size_bytes")
    public long sizeBytes;
    @Column(name = "gpu_required")
    public boolean gpuRequired;
    @Column(name = "gpu_type")
    public String gpuType;
    public String error;
    public String engine;
    /** One input row's shape, comma-separated ({@code 4}, {@code 3,32,32}); null when unknown. */
    @Column(name = "input_shape")
    public String inputShape;
    @Column(name = "input_type")
    public String inputType;
    @Column(name = "input_name")
    public String inputName;
    /** Class names as a JSON array, index order; null for models without labels. */
    public String labels;
    public String architecture;
    @Column(name = "batch_size")
    public int batchSize;
    @Column(name = "max_batch_delay_ms")
    public int maxBatchDelayMs;
    @Column(name = "min_workers")
    public int minWorkers;
    @Column(name = "max_workers")
    public int maxWorkers;
    public String source;
    @Column(name = "job_id")
    public UUID jobId;
    @Column(name = "total_requests")
    public long totalRequests;
    @Column(name = "total_errors")
    public long totalErrors;
    @Column(name = "total_latency_ms")
    public double totalLatencyMs;
    @Column(name = "loaded_at")
    public Instant loadedAt;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
