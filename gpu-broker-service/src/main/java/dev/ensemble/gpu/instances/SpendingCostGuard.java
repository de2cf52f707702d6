package dev.ensemble.gpu.instances;

import dev.ensemble.billing.client.Reservation;
import dev.ensemble.billing.client.SpendingGuard;
import dev.ensemble.gpu.config.GpuBrokerConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.UUID;

/**
 * {@link CostGuard} on billing's {@link SpendingGuard} ({@code POST /api/v1/guardrails/spending/reserve}
 * with the user's own token; 402 {@code SPENDING_LIMIT}/{@code INSUFFICIENT_CREDITS} when refused,
 * 503 when billing cannot be reached: it fails closed). Off when {@code gpu-broker.guardrails.enabled=false}.
 */
@ApplicationScoped
public class SpendingCostGuard implements CostGuard {

    private static final Logger LOG = Logger.getLogger(SpendingCostGuard.class);

    @Inject
    SpendingGuard spending;

    @Inject
    GpuBrokerConfig config;

    @Override
    public Uni<UUID> reserve(String bearerToken, BigDecimal amount, String currency, String referenceId, Duration ttl) {
        if (!config.guardrails().enabled()) {
            return Uni.createFrom().nullItem();
        }
        return spending.reserve(bearerToken, amount, currency, "gpu_time", referenceId, ttl)
                .map(Reservation::reservationId);
    }

    @Override
    public Uni<Void> release(String bearerToken, UUID reservationId) {
        if (reservationId == null || !config.guardrails().enabled()) {
            return Uni.createFrom().voidItem();
        }
        return spending.release(bearerToken, reservationId).replaceWithVoid().onFailure().recoverWithItem(e -> {
            LOG.warnf("could not release spending reservation %s: %s", reservationId, e.getMessage());
            return null;
        });
    }
}
