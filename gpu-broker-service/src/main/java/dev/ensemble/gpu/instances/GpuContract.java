package dev.ensemble.gpu.instances;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * A GPU instance rented for a user, with its state: provisioning, running (active), failed,
 * destroyed, expired (terminal). {@code billedUntil} is how far its GPU time has been reported.
 */
@Entity
@Table(name = "gpu_contracts")
public class GpuContract extends PanacheEntityBase {

    public static final String PROVISIONING = "provisioning";
    public static final String RUNNING = "running";
    public static final String FAILED = "failed";
    public static final String DESTROYED = "destroyed";
    public static final String EXPIRED = "expired";

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    public String provider;
    @Column(name = "offer_id")
    public String offerId;
    @Column(name = "provider_instance_id")
    public String providerInstanceId;
    public String label;
    public String status;
    @Column(name = "gpu_model")
    public String gpuModel;
    public String vendor;
    @Column(name = "gpu_count")
    public int gpuCount;
    @Column(name = "vram_gb")
    public int vramGb;
    @Column(name = "price_per_hour")
    public BigDecimal pricePerHour;
    public String currency;
    public String location;
    @Column(name = "duration_hours")
    public int durationHours;
    @Column(name = "auto_renew")
    public boolean autoRenew;
    @Column(name = "endpoint_host")
    public String endpointHost;
    @Column(name = "endpoint_port")
    public Integer endpointPort;
    @Column(name = "reservation_id")
    public UUID reservationId;
    public String error;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "billed_until")
    public Instant billedUntil;
    @Column(name = "ended_at")
    public Instant endedAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Version
    public long version;

    public boolean active() {
        return PROVISIONING.equals(status) || RUNNING.equals(status);
    }

    public static String labelFor(UUID id) {
        return "ensemble-" + id;
    }
}
