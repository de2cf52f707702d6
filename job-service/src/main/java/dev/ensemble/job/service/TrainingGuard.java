package dev.ensemble.job.service;

import dev.ensemble.billing.client.Reservation;
import dev.ensemble.billing.client.SpendingGuard;
import dev.ensemble.job.config.JobConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Spending guardrails for training jobs: before a training job is queued, its estimated cost
 * (estimated duration x {@code ensemble.jobs.guardrails.training-price-per-hour}, at least
 * {@code minimum-hold}) is reserved with billing-service under the caller's own token
 * ({@link SpendingGuard}). Billing's refusal (402 {@code SPENDING_LIMIT} / {@code INSUFFICIENT_CREDITS})
 * and billing being unreachable (503, fail closed) propagate, and no job is created. The job stores
 * the reservation; its {@code usage.recorded} event settles it (with the priced training time on
 * completion, at zero when it fails for good or is cancelled), and a hold never settled expires.
 */
@ApplicationScoped
public class TrainingGuard {

    private static final Logger LOG = Logger.getLogger(TrainingGuard.class);

    /** The reservation's purpose as billing records it. */
    static final String PURPOSE = "training";
    /** Billing's longest {@code reference_id}. */
    static final int MAX_REFERENCE = 200;

    @Inject
    SpendingGuard spending;

    @Inject
    JobConfig config;

    public boolean enabled() {
        return config.guardrails().enabled();
    }

    /**
     * Holds the estimated cost of the training job {@code jobId} (about to be created from
     * {@code draft}); the reservation id, or null when guardrails are off. Completes (or fails) on the
     * caller's Vert.x context, so the job can be stored right after.
     */
    public Uni<UUID> hold(String bearer, UUID owner, UUID jobId, String idempotencyKey, JobService.Draft draft) {
        if (!enabled()) {
            return Uni.createFrom().nullItem();
        }
        Instant now = Instant.now();
        var g = config.guardrails();
        BigDecimal amount = estimate(draft.estimatedSeconds(), g.trainingPricePerHour(), g.minimumHold());
        Duration ttl = ttl(draft.estimatedSeconds(), draft.scheduledAt(), now, g.holdFactor(), g.holdMargin(), g.maxHold());
        return spending.reserve(bearer, amount, null, PURPOSE, reference(owner, jobId, idempotencyKey), ttl)
                .map(Reservation::reservationId);
    }

    /**
     * Drops a hold whose job was not created; never fails (a hold left behind expires on its own).
     * Completes on the caller's Vert.x context.
     */
    public Uni<Void> release(String bearer, UUID reservation) {
        if (reservation == null) {
            return Uni.createFrom().voidItem();
        }
        return spending.release(bearer, reservation).replaceWithVoid().onFailure().recoverWithItem(e -> {
            LOG.warnf("could not release spending reservation %s: %s (it expires on its own)", reservation,
                    e.getMessage());
            return null;
        });
    }

    /** Estimated hours x price per hour, rounded up to billing's 6 decimals, at least {@code minimum}. */
    static BigDecimal estimate(int estimatedSeconds, BigDecimal pricePerHour, BigDecimal minimum) {
        BigDecimal cost = pricePerHour.multiply(BigDecimal.valueOf(Math.max(0, estimatedSeconds)))
                .divide(BigDecimal.valueOf(3600), 6, RoundingMode.UP);
        BigDecimal floor = minimum.setScale(6, RoundingMode.UP);
        return cost.max(floor).stripTrailingZeros();
    }

    /**
     * How long billing holds the estimate: the wait until {@code scheduledAt}, then the estimated
     * duration x {@code factor} + {@code margin} (retries, a busy queue), within billing's maximum.
     * A job that outlives its hold is still charged in full when it completes.
     */
    static Duration ttl(int estimatedSeconds, Instant scheduledAt, Instant now, int factor, Duration margin,
                        Duration max) {
        Duration wait = scheduledAt == null || !scheduledAt.isAfter(now) ? Duration.ZERO
                : Duration.between(now, scheduledAt);
        Duration ttl = wait.plus(Duration.ofSeconds(Math.max(0, estimatedSeconds)).multipliedBy(Math.max(1, factor)))
                .plus(margin);
        ttl = ttl.compareTo(max) > 0 ? max : ttl;
        return ttl.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : ttl;
    }

    /**
     * Billing's reference of the hold, so a retried reserve never holds twice: the owner and the
     * Idempotency-Key when one is given (a retried submit finds the same hold), else the job itself.
     */
    static String reference(UUID owner, UUID jobId, String idempotencyKey) {
        if (idempotencyKey == null) {
            return "job:" + jobId;
        }
        String reference = "job:" + owner + ":" + idempotencyKey;
        return reference.length() <= MAX_REFERENCE ? reference : "job:" + owner + ":sha256:" + sha256(idempotencyKey);
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
