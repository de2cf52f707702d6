package dev.ensemble.gpu.balancer;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A user's load-balancing strategy and optional instance weights ({@code contract=weight,...}). */
@Entity
@Table(name = "gpu_lb_settings")
public class LbSettings extends PanacheEntityBase {
    @Id
    @Column(name = "user_id")
    public UUID userId;
    public String strategy;
    public String weights;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
