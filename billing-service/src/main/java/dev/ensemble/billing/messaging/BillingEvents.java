package dev.ensemble.billing.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * The events billing-service emits on {@code billing.events} (data version 1), through the outbox.
 * The subject (and record key) is the user id.
 */
public final class BillingEvents {

    public static final String CHARGED = "billing.charged";
    public static final String PAYMENT_SUCCEEDED = "billing.payment_succeeded";
    public static final String PAYMENT_FAILED = "billing.payment_failed";
    public static final int VERSION = 1;

    private BillingEvents() {
    }

    /** The ledger was charged for usage (a metered event or a settled reservation). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Charged(UUID userId, UUID entryId, BigDecimal amount, String currency, String kind,
                          String resource, UUID reservationId, UUID usageEventId, String description) {
    }

    /** A payment (or a credit grant) reached the ledger. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PaymentSucceeded(UUID userId, UUID paymentId, BigDecimal amount, String currency,
                                   String provider, String providerReference) {
    }

    /** A payment was declined or failed at its provider. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PaymentFailed(UUID userId, UUID paymentId, BigDecimal amount, String currency,
                                String provider, String failureCode, String failureMessage) {
    }
}
