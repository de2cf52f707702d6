package dev.ensemble.job;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** An uploaded data set: a CSV file or an unpacked folder, under the owner's folder of the data root. */
@Entity
@Table(name = "datasets")
public class Dataset extends PanacheEntityBase {
    @Id
    public UUID id;
    @Column(name = "owner_id")
    public UUID ownerId;
    public String name;
    public String kind;
    @Column(name = "rel_path")
    public String relPath;
    @Column(name = "size_bytes")
    public long sizeBytes;
    public int files;
    @Column(name = "created_at")
    public Instant createdAt;
}
