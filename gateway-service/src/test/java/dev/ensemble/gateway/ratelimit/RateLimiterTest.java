package dev.ensemble.gateway.ratelimit;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The limiter's arithmetic, in process and in Redis (the machine's Redis at 127.0.0.1:6379 when
 * one answers; skipped otherwise).
 */
class RateLimiterTest {

    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void localWindowCountsDownAndResets() {
        LocalRateLimiter limiter = new LocalRateLimiter();
        Policy p = new Policy("t", 3, 1_000, 60_000, 100);
        long t = 10_000_000L;
        for (int left = 2; left >= 0; left--) {
            Decision d = limiter.decide("u:a", p, t);
            assertTrue(d.allowed());
            assertEquals(left, d.remaining());
            assertEquals(3, d.limit());
            assertEquals((t + 1_000) / 1000, d.resetEpochSeconds());
        }
        Decision refused = limiter.decide("u:a", p, t + 10);
        assertFalse(refused.allowed());
        assertEquals(1, refused.retryAfterSeconds());
        assertTrue(limiter.decide("u:b", p, t + 10).allowed(), "keys are counted apart");
        assertTrue(limiter.decide("u:a", p, t + 1_000).allowed(), "a new window starts afresh");
    }

    @Test
    void localBucketLimitsBurstsAndRefills() {
        LocalRateLimiter limiter = new LocalRateLimiter();
        Policy p = new Policy("t", 1_000, 3_600_000, 60, 2); // one a second, two at once
        long t = 0;
        assertTrue(limiter.decide("k", p, t).allowed());
        assertTrue(limiter.decide("k", p, t).allowed());
        Decision refused = limiter.decide("k", p, t);
        assertFalse(refused.allowed());
        assertEquals(1, refused.retryAfterSeconds());
        assertTrue(limiter.decide("k", p, t + 1_000).allowed(), "one token back after a second");
        assertFalse(limiter.decide("k", p, t + 1_000).allowed());
    }

    static boolean redisAnswers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 6379), 300);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void redisSharesTheCountersAcrossLimiters() throws Exception {
        assumeTrue(redisAnswers(), "no Redis at 127.0.0.1:6379");
        String prefix = "ensemble-test:rl:" + UUID.randomUUID() + ":";
        RedisRateLimiter one = new RedisRateLimiter(vertx, "redis://127.0.0.1:6379", prefix);
        RedisRateLimiter two = new RedisRateLimiter(vertx, "redis://127.0.0.1:6379", prefix);
        Policy p = new Policy("t", 3, 2_000, 60_000, 100);
        assertTrue(get(one, "u:x", p).allowed());
        assertEquals(1, get(two, "u:x", p).remaining(), "the second replica sees the first one's request");
        assertTrue(get(one, "u:x", p).allowed());
        Decision refused = get(two, "u:x", p);
        assertFalse(refused.allowed());
        assertTrue(refused.retryAfterSeconds() >= 1 && refused.retryAfterSeconds() <= 2, refused.toString());
        assertTrue(get(one, "u:y", p).allowed());
        Thread.sleep(2_100);
        Decision after = get(one, "u:x", p);
        assertTrue(after.allowed(), "the window reset");
        assertEquals(2, after.remaining());

        Policy bursty = new Policy("b", 1_000, 3_600_000, 60, 2);
        assertTrue(get(one, "k:b", bursty).allowed());
        assertTrue(get(two, "k:b", bursty).allowed());
        assertFalse(get(one, "k:b", bursty).allowed());
        one.forget("u:x").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        one.forget("u:y").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        one.forget("k:b").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void anUnreachableRedisLetsRequestsThrough() throws Exception {
        RedisRateLimiter down = new RedisRateLimiter(vertx, "redis://127.0.0.1:1", "x:");
        Decision d = get(down, "u:x", new Policy("t", 1, 1000, 60, 1));
        assertTrue(d.allowed());
        assertFalse(d.known());
    }

    static Decision get(RateLimiter limiter, String key, Policy p) throws Exception {
        return limiter.acquire(key, p).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
