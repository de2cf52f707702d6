package dev.ensemble.gateway.ratelimit;

/**
 * A plan's limits: {@code limit} requests per {@code windowMillis} (fixed windows aligned to the
 * clock, as the seeds' X-RateLimit-Reset suggests), and a token bucket of {@code burst} requests
 * refilled at {@code perMinute} per minute, so a client cannot spend its hour in one second.
 */
public record Policy(String name, long limit, long windowMillis, long perMinute, long burst) {
}
