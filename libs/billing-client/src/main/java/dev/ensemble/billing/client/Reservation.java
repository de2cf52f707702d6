package dev.ensemble.billing.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * A hold on a user's spending, as billing-service answers it: {@code status} is {@code held},
 * {@code settled}, {@code released} or {@code expired}; {@code amount} is the amount held (or, once
 * settled, the amount charged).
 */
public record Reservation(UUID reservationId, BigDecimal amount, String currency, String status,
                          Instant expiresAt) {
}
