package dev.ensemble.job;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * A job and where it stands: {@code pending} (waiting for a worker, possibly until
 * {@code scheduledAt}), {@code running} (claimed by {@code leaseOwner} until {@code leaseUntil}),
 * then {@code completed}, {@code failed} or {@code cancelled}. {@code kind} is {@code training},
 * {@code inference} or {@code batch}; {@code request} and {@code result} are JSON.
 */
@Entity
@Table(name = "jobs")
public class Job extends PanacheEntityBase {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    @Id
    public UUID id;
    @Column(name = "owner_id")
    public UUID ownerId;
    public String kind;
    public String status;
    public String queue;
    @Column(name = "model_type")
    public String modelType;
    public String request;
    public String result;
    public String error;
    public double progress;
    public int priority;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    public String name;
    @Column(name = "job_type")
    public String jobType;
    public String service;
    public String framework;
    @Column(name = "model_id")
    public String modelId;
    public String description;
    @Column(name = "scheduled_at")
    public Instant scheduledAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "cancelled_at")
    public Instant cancelledAt;
    @Column(name = "steps_completed")
    public int stepsCompleted;
    @Column(name = "steps_total")
    public int stepsTotal;
    public int attempts;
    @Column(name = "max_attempts")
    public int maxAttempts;
    @Column(name = "lease_owner")
    public String leaseOwner;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    @Column(name = "estimated_seconds")
    public int estimatedSeconds;
    /** Billing's hold on the estimated cost (training jobs under spending guardrails), else null. */
    @Column(name = "reservation_id")
    public UUID reservationId;

    public boolean finished() {
        return COMPLETED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
    }
}
