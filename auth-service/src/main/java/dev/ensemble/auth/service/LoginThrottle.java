package dev.ensemble.auth.service;

import dev.ensemble.web.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Throttles password guessing: after too many failures for one account, or from one address,
 * within the window, further attempts are refused with 429 until the oldest failure ages out.
 * Kept per replica: an attacker spreading guesses over replicas gets at most replicas × the limit.
 */
@ApplicationScoped
public class LoginThrottle {

    static final int MAX_PER_ACCOUNT = 5;
    static final int MAX_PER_ADDRESS = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);

    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    /** Refuses the attempt when the account or address is over its limit. */
    public void check(String account, String address) {
        long now = System.currentTimeMillis();
        long retry = Math.max(retryAfter("acct:" + account, MAX_PER_ACCOUNT, now),
                retryAfter("addr:" + address, MAX_PER_ADDRESS, now));
        if (retry > 0) {
            throw new ThrottledException(Math.max(1, retry / 1000));
        }
    }

    public void failed(String account, String address) {
        long now = System.currentTimeMillis();
        record("acct:" + account, now);
        record("addr:" + address, now);
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> prune(e.getValue(), now).isEmpty());
        }
    }

    public void succeeded(String account) {
        failures.remove("acct:" + account);
    }

    private void record(String key, long now) {
        Deque<Long> q = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            prune(q, now).addLast(now);
        }
    }

    private long retryAfter(String key, int max, long now) {
        Deque<Long> q = failures.get(key);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            prune(q, now);
            return q.size() >= max ? q.peekFirst() + WINDOW.toMillis() - now : 0;
        }
    }

    private static Deque<Long> prune(Deque<Long> q, long now) {
        while (!q.isEmpty() && q.peekFirst() + WINDOW.toMillis() <= now) {
            q.pollFirst();
        }
        return q;
    }

    /** 429 with the seconds until the next attempt may succeed. */
    public static class ThrottledException extends ApiException {
        public final long retryAfterSeconds;

        ThrottledException(long retryAfterSeconds) {
            super(429, "RATE_LIMITED", "too many failed logins; retry in " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
            withHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
    }
}
