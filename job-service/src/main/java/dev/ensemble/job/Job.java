package dev.ensemble.job;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A job and where it stands. */
@Entity
@Table(name = "jobs")
public class Job extends PanacheEntityBase {
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
}
