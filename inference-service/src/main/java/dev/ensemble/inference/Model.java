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
    public String error;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
