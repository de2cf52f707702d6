package dev.ensemble.billing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A user's spending window: a limit and the spend recorded in its current period. */
@Entity
@Table(name = "spending_windows")
public class SpendingWindow extends PanacheEntityBase {

    @EmbeddedId
    public Key key;
    public String kind;
    @Column(name = "duration_seconds")
    public Long durationSeconds;
    @Column(name = "limit_amount")
    public BigDecimal limitAmount;
    public String currency;
    public BigDecimal spent;
    @Column(name = "period_start")
    public Instant periodStart;
    @Column(name = "anchor_at")
    public Instant anchorAt;

    public String name() {
        return key.name;
    }

    /** The window's identity: its owner and its name. */
    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "user_id")
        public UUID userId;
        public String name;

        public Key() {
        }

        public Key(UUID userId, String name) {
            this.userId = userId;
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(userId, k.userId) && Objects.equals(name, k.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(userId, name);
        }
    }
}
