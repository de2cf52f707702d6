package dev.ensemble.job.service;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The arithmetic of a training job's hold: amount, duration and billing reference. */
class TrainingGuardTest {

    static final BigDecimal PRICE = new BigDecimal("0.50");
    static final BigDecimal MIN = new BigDecimal("0.01");

    @Test
    void theEstimateIsHoursTimesThePriceRoundedUpWithAMinimum() {
        assertEquals(new BigDecimal("0.140278"), TrainingGuard.estimate(1010, PRICE, MIN));
        assertEquals(new BigDecimal("0.5"), TrainingGuard.estimate(3600, PRICE, MIN));
        assertEquals(new BigDecimal("0.01"), TrainingGuard.estimate(30, PRICE, MIN));
        assertEquals(new BigDecimal("0.01"), TrainingGuard.estimate(0, PRICE, MIN));
        assertEquals(new BigDecimal("1.044445"), TrainingGuard.estimate(7520, PRICE, MIN));
        assertTrue(TrainingGuard.estimate(7520, PRICE, MIN).scale() <= 6);
    }

    @Test
    void theHoldCoversRetriesAndTheWaitWithinBillingsMaximum() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        Duration margin = Duration.ofMinutes(15);
        Duration max = Duration.ofHours(24);
        assertEquals(Duration.ofSeconds(30 * 3 + 900), TrainingGuard.ttl(30, null, now, 3, margin, max));
        assertEquals(Duration.ofSeconds(30 * 3 + 900), TrainingGuard.ttl(30, now.minusSeconds(60), now, 3, margin, max));
        assertEquals(Duration.ofSeconds(3600 + 30 * 3 + 900),
                TrainingGuard.ttl(30, now.plusSeconds(3600), now, 3, margin, max));
        assertEquals(max, TrainingGuard.ttl(30, now.plus(Duration.ofDays(30)), now, 3, margin, max));
        assertEquals(Duration.ofMinutes(1), TrainingGuard.ttl(0, null, now, 3, Duration.ZERO, max));
    }

    @Test
    void theReferenceIsTheIdempotencyKeyOrTheJob() {
        UUID owner = UUID.randomUUID();
        UUID job = UUID.randomUUID();
        assertEquals("job:" + job, TrainingGuard.reference(owner, job, null));
        assertEquals("job:" + owner + ":k-1", TrainingGuard.reference(owner, job, "k-1"));
        assertEquals(TrainingGuard.reference(owner, job, "k-1"), TrainingGuard.reference(owner, UUID.randomUUID(), "k-1"));
        String longKey = "x".repeat(200);
        String ref = TrainingGuard.reference(owner, job, longKey);
        assertTrue(ref.length() <= 200, ref);
        assertTrue(ref.startsWith("job:" + owner + ":sha256:"), ref);
        assertEquals(ref, TrainingGuard.reference(owner, UUID.randomUUID(), longKey));
        assertNotEquals(ref, TrainingGuard.reference(owner, job, "y".repeat(200)));
    }
}
