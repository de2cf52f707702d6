package dev.ensemble.gateway.ratelimit;

import dev.ensemble.gateway.auth.Principal;
import dev.ensemble.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;

/**
 * The one limiter of the edge and its per-plan policies from configuration: a principal's plan
 * (the token's {@code plan} claim, else the default plan), or the admin policy for admins.
 * Redis-backed when {@code ensemble.gateway.rate-limit.redis-url} is set, in-process otherwise.
 */
@Singleton
public class RateLimits {

    private static final Logger LOG = Logger.getLogger(RateLimits.class);

    @Inject
    GatewayConfig config;

    @Inject
    Vertx vertx;

    private final Map<String, Policy> policies = new HashMap<>();
    private RateLimiter limiter;
    private Policy defaultPolicy;
    private Policy adminPolicy;
    private boolean enabled;
    private long pruneTimer = -1;

    @PostConstruct
    void init() {
        var rl = config.rateLimit();
        enabled = rl.enabled();
        rl.plans().forEach((name, p) -> {
            if (p.limit() <= 0 || p.perMinute() <= 0 || p.burst() <= 0 || p.window().toMillis() <= 0) {
                throw new IllegalArgumentException("ensemble.gateway.rate-limit.plans." + name
                        + ": limit, per-minute, burst and window must be positive");
            }
            policies.put(name, new Policy(name, p.limit(), p.window().toMillis(), p.perMinute(), p.burst()));
        });
        defaultPolicy = policies.get(rl.defaultPlan());
        if (enabled && defaultPolicy == null) {
            throw new IllegalArgumentException("ensemble.gateway.rate-limit.default-plan " + rl.defaultPlan()
                    + " has no policy under ensemble.gateway.rate-limit.plans");
        }
        adminPolicy = policies.getOrDefault(rl.adminPlan(), null);
        if (rl.redisUrl().isPresent() && !rl.redisUrl().get().isBlank()) {
            limiter = new RedisRateLimiter(vertx, rl.redisUrl().get(), "ensemble:rl:");
            LOG.infof("rate limits shared through Redis at %s", rl.redisUrl().get().replaceAll("//[^@]*@", "//***@"));
        } else {
            LocalRateLimiter local = new LocalRateLimiter();
            limiter = local;
            pruneTimer = vertx.setPeriodic(60_000, id -> local.prune(2 * 3_600_000L));
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (pruneTimer >= 0) {
            vertx.cancelTimer(pruneTimer);
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** The policy of {@code principal}. */
    public Policy policyOf(Principal principal) {
        if (principal.admin() && adminPolicy != null) {
            return adminPolicy;
        }
        Policy p = principal.plan() == null ? null : policies.get(principal.plan());
        return p != null ? p : defaultPolicy;
    }

    public Future<Decision> acquire(Principal principal) {
        return limiter.acquire(principal.limitKey(), policyOf(principal));
    }

    /** The limiter itself (tests). */
    public RateLimiter limiter() {
        return limiter;
    }
}
