package dev.ensemble.billing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** A user's billing account, opened when auth-service announces the user. */
@Entity
@Table(name = "accounts")
public class Account extends PanacheEntityBase {
    @Id
    @Column(name = "user_id")
    public UUID userId;
    public String currency;
    public String email;
    @Column(name = "opened_at")
    public Instant openedAt;
    @Column(name = "guardrails_initialized")
    public boolean guardrailsInitialized;
}
