package dev.ensemble.gpu.preferences;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A user's GPU selection preferences; lists are stored comma-separated. */
@Entity
@Table(name = "gpu_preferences")
public class GpuPreference extends PanacheEntityBase {
    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "preferred_vendors")
    public String preferredVendors;
    @Column(name = "preferred_tiers")
    public String preferredTiers;
    @Column(name = "min_vram")
    public int minVram;
    @Column(name = "max_price_per_hour")
    public BigDecimal maxPricePerHour;
    public String priority;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
