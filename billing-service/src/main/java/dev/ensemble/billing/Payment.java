package dev.ensemble.billing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A payment attempt, unique per user and Idempotency-Key. */
@Entity
@Table(name = "payments")
public class Payment extends PanacheEntityBase {

    public static final String PROCESSING = "processing";
    public static final String PENDING = "pending";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @Column(name = "request_hash")
    public String requestHash;
    public BigDecimal amount;
    public String currency;
    public String provider;
    public String method;
    public String status;
    @Column(name = "provider_reference")
    public String providerReference;
    @Column(name = "client_secret")
    public String clientSecret;
    @Column(name = "failure_code")
    public String failureCode;
    @Column(name = "failure_message")
    public String failureMessage;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
