package dev.ensemble.billing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A hold on future spending, taken before costly work and settled (or released) after it. */
@Entity
@Table(name = "spending_reservations")
public class SpendingReservation extends PanacheEntityBase {

    public static final String HELD = "held";
    public static final String SETTLED = "settled";
    public static final String RELEASED = "released";
    public static final String EXPIRED = "expired";

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    public BigDecimal amount;
    @Column(name = "settled_amount")
    public BigDecimal settledAmount;
    public String currency;
    public String purpose;
    @Column(name = "reference_id")
    public String referenceId;
    public String status;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "closed_at")
    public Instant closedAt;

    /** Whether the hold still counts against the windows at {@code now}. */
    public boolean holding(Instant now) {
        return HELD.equals(status) && expiresAt.isAfter(now);
    }
}
