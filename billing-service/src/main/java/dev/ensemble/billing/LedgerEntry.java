package dev.ensemble.billing;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One movement of a user's money: positive for payments, credits and refunds, negative for usage
 * charges. The balance is the sum of a user's entries.
 */
@Entity
@Table(name = "ledger_entries")
public class LedgerEntry extends PanacheEntityBase {

    public static final String PAYMENT = "payment";
    public static final String CREDIT = "credit";
    public static final String USAGE = "usage";
    public static final String REFUND = "refund";

    @Id
    public UUID id;
    @Column(name = "user_id")
    public UUID userId;
    public String kind;
    public BigDecimal amount;
    public String currency;
    public String description;
    public String status;
    public String reference;
    public String provider;
    @Column(name = "created_at")
    public Instant createdAt;

    public static LedgerEntry of(UUID userId, String kind, BigDecimal amount, String currency, String description,
                                 String reference, String provider) {
        LedgerEntry e = new LedgerEntry();
        e.id = UUID.randomUUID();
        e.userId = userId;
        e.kind = kind;
        e.amount = amount;
        e.currency = currency;
        e.description = description == null || description.length() <= 500 ? description : description.substring(0, 500);
        e.status = "succeeded";
        e.reference = reference;
        e.provider = provider;
        e.createdAt = Instant.now();
        return e;
    }
}
