package dev.ensemble.billing.payments;

import io.smallrye.mutiny.Uni;

import java.math.BigDecimal;
import java.util.UUID;

/** Something that can take a payment. Implementations: {@link StripeProvider}, {@link CreditsProvider}. */
public interface PaymentProvider {

    /** The name clients choose it by ({@code provider} in the body or the {@code X-Billing} header). */
    String name();

    /**
     * Charges the payer. Must be safe to call again for the same {@code paymentId} (the provider's
     * own idempotency), because a retried request re-sends a payment whose outcome is unknown.
     * Fails with an {@code ApiException} for a request the provider cannot take at all (400) or when
     * the provider cannot be reached (503); a declined payment is an {@link Outcome} with status failed.
     */
    Uni<Outcome> charge(Charge charge);

    /** What to charge. {@code cardToken}/{@code paymentMethod} come from {@code payment_preference}. */
    record Charge(UUID paymentId, UUID userId, BigDecimal amount, String currency, String method, String cardToken,
                  String paymentMethod) {
    }

    /** {@code status}: succeeded, pending (the payer must still act; {@code clientSecret} lets them) or failed. */
    record Outcome(String status, String providerReference, String clientSecret, String failureCode,
                   String failureMessage) {
        public static Outcome succeeded(String reference) {
            return new Outcome("succeeded", reference, null, null, null);
        }

        public static Outcome failed(String reference, String code, String message) {
            return new Outcome("failed", reference, null, code, message);
        }
    }
}
