package dev.ensemble.billing.payments;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Self-hosted credits: no money moves, the ledger is simply credited. Who may use it (admins only,
 * unless {@code ensemble.billing.credits.self-service}) is decided by {@link PaymentService}.
 */
@ApplicationScoped
public class CreditsProvider implements PaymentProvider {

    public static final String NAME = "credits";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Uni<Outcome> charge(Charge charge) {
        return Uni.createFrom().item(Outcome.succeeded("credit_" + charge.paymentId().toString().replace("-", "")));
    }
}
