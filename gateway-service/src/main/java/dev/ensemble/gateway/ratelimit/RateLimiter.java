package dev.ensemble.gateway.ratelimit;

import io.vertx.core.Future;

/** Counts one request of {@code key} against {@code policy}. */
public interface RateLimiter {

    Future<Decision> acquire(String key, Policy policy);

    /** Forgets every counter (tests). */
    default void reset() {
    }
}
