package dev.ensemble.gateway.ratelimit;

import io.vertx.core.Future;

import java.util.concurrent.ConcurrentHashMap;

/** The limiter of one gateway replica: counters in memory, pruned once they are idle. */
public final class LocalRateLimiter implements RateLimiter {

    private static final class State {
        long windowStart = -1;
        long count;
        double tokens = -1;
        long refilledAt;
        long touched;
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    @Override
    public Future<Decision> acquire(String key, Policy policy) {
        return Future.succeededFuture(decide(key, policy, System.currentTimeMillis()));
    }

    Decision decide(String key, Policy p, long now) {
        State s = states.computeIfAbsent(key, k -> new State());
        synchronized (s) {
            s.touched = now;
            long windowStart = now - now % p.windowMillis();
            long reset = windowStart + p.windowMillis();
            if (s.windowStart != windowStart) {
                s.windowStart = windowStart;
                s.count = 0;
            }
            if (s.count >= p.limit()) {
                return new Decision(false, p.limit(), 0, ceilSeconds(reset), Math.max(1, ceilSeconds(reset - now)));
            }
            double rate = p.perMinute() / 60_000.0;
            if (s.tokens < 0) {
                s.tokens = p.burst();
            } else {
                s.tokens = Math.min(p.burst(), s.tokens + (now - s.refilledAt) * rate);
            }
            s.refilledAt = now;
            if (s.tokens < 1) {
                long wait = (long) Math.ceil((1 - s.tokens) / rate);
                return new Decision(false, p.limit(), 0, ceilSeconds(now + wait), Math.max(1, ceilSeconds(wait)));
            }
            s.tokens -= 1;
            s.count++;
            return new Decision(true, p.limit(), p.limit() - s.count, ceilSeconds(reset), 0);
        }
    }

    /** Drops counters idle for longer than {@code idleMillis}. */
    public void prune(long idleMillis) {
        long now = System.currentTimeMillis();
        states.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return now - e.getValue().touched > idleMillis;
            }
        });
    }

    @Override
    public void reset() {
        states.clear();
    }

    private static long ceilSeconds(long millis) {
        return (millis + 999) / 1000;
    }
}
