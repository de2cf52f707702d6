package dev.ensemble.gpu.instances;

import io.smallrye.mutiny.Uni;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.UUID;

/**
 * Billing's spending guardrails, as the broker needs them: hold the estimated cost of a rental before
 * it is created (402 {@code SPENDING_LIMIT}/{@code INSUFFICIENT_CREDITS} when refused), drop the
 * hold when the create fails. The GPU time reported later on {@code usage.events} names the
 * reservation, and billing settles it from there.
 */
public interface CostGuard {

    /** The reservation id, or null when guardrails are switched off. */
    Uni<UUID> reserve(String bearerToken, BigDecimal amount, String currency, String referenceId, Duration ttl);

    /** Releases a hold; never fails the caller (an unreleased hold expires on its own). */
    Uni<Void> release(String bearerToken, UUID reservationId);
}
