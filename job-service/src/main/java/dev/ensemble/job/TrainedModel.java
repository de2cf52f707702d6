package dev.ensemble.job;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A model a training job wrote to model storage ({@code relPath} is relative to the model root). */
@Entity
@Table(name = "trained_models")
public class TrainedModel extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "owner_id")
    public UUID ownerId;
    @Column(name = "job_id")
    public UUID jobId;
    @Column(name = "model_type")
    public String modelType;
    public String format;
    public String architecture;
    @Column(name = "rel_path")
    public String relPath;
    public String spec;
    @Column(name = "created_at")
    public Instant createdAt;
}
