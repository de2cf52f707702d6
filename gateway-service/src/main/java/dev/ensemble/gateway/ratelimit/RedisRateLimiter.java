package dev.ensemble.gateway.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The limiter shared by every gateway replica: the same window and bucket as
 * {@link LocalRateLimiter}, kept in Redis and updated by one Lua script, so one request costs
 * one round trip and two replicas can never both spend the last request. Redis' clock is the
 * clock. When Redis cannot answer, requests go on unlimited (logged): the limiter protects the
 * services, it must not take the edge down with it.
 */
public final class RedisRateLimiter implements RateLimiter {

    private static final Logger LOG = Logger.getLogger(RedisRateLimiter.class);

    static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local limit = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local rate = tonumber(ARGV[3]) / 60000
            local burst = tonumber(ARGV[4])
            local ws = now - (now % window)
            local reset = ws + window
            local wkey = KEYS[1] .. ':' .. ws
            local count = tonumber(redis.call('GET', wkey) or '0')
            if count >= limit then
              return {0, limit, 0, reset, reset - now}
            end
            local b = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
            local tokens = tonumber(b[1])
            local ts = tonumber(b[2])
            if tokens == nil or ts == nil then
              tokens = burst
              ts = now
            end
            tokens = math.min(burst, tokens + (now - ts) * rate)
            local ttl = math.ceil(burst / rate) + 1000
            if tokens < 1 then
              redis.call('HSET', KEYS[2], 'tokens', tostring(tokens), 'ts', now)
              redis.call('PEXPIRE', KEYS[2], ttl)
              local wait = math.ceil((1 - tokens) / rate)
              return {0, limit, 0, now + wait, wait}
            end
            redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'ts', now)
            redis.call('PEXPIRE', KEYS[2], ttl)
            count = redis.call('INCR', wkey)
            if count == 1 then
              redis.call('PEXPIRE', wkey, window + 1000)
            end
            return {1, limit, limit - count, reset, 0}
            """;

    private final RedisAPI redis;
    private final String prefix;
    private volatile long lastWarning;

    public RedisRateLimiter(Vertx vertx, String url, String prefix) {
        Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
                .setMaxPoolSize(16).setMaxPoolWaiting(4096).setMaxWaitingHandlers(8192));
        this.redis = RedisAPI.api(client);
        this.prefix = prefix;
    }

    @Override
    public Future<Decision> acquire(String key, Policy p) {
        String k = prefix + "{" + key + "}";
        return redis.eval(List.of(SCRIPT, "2", k + ":w", k + ":b", Long.toString(p.limit()),
                        Long.toString(p.windowMillis()), Long.toString(p.perMinute()), Long.toString(p.burst())))
                .map(RedisRateLimiter::decision)
                .recover(e -> {
                    long now = System.currentTimeMillis();
                    if (now - lastWarning > 10_000) {
                        lastWarning = now;
                        LOG.warnf("rate limiting is off: Redis does not answer (%s)", e.getMessage());
                    }
                    return Future.succeededFuture(Decision.UNKNOWN);
                });
    }

    private static Decision decision(Response r) {
        long resetMillis = r.get(3).toLong();
        long wait = r.get(4).toLong();
        return new Decision(r.get(0).toInteger() == 1, r.get(1).toLong(), Math.max(0, r.get(2).toLong()),
                (resetMillis + 999) / 1000, wait <= 0 ? 0 : Math.max(1, (wait + 999) / 1000));
    }

    /** Deletes every counter under this limiter's prefix whose key is given (tests). */
    public Future<Void> forget(String key) {
        String k = prefix + "{" + key + "}";
        return redis.keys(k + "*").compose(keys -> {
            if (keys.size() == 0) {
                return Future.succeededFuture();
            }
            List<String> names = new java.util.ArrayList<>();
            keys.forEach(x -> names.add(x.toString()));
            return redis.del(names).mapEmpty();
        });
    }
}
