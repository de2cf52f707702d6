package dev.ensemble.gpu.balancer;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses one of a user's running instances for a proxied request, and keeps each instance's live
 * load (open connections, requests, a moving average of response time) as the proxy reports it.
 * Loads are measurements of this process, so they start at zero after a restart; the strategy is
 * stored per user.
 */
@ApplicationScoped
public class LoadBalancer {

    public static final String ROUND_ROBIN = "round_robin";
    public static final String EQUAL_WEIGHTED = "equal_weighted";
    public static final String WEIGHTED_ROUND_ROBIN = "weighted_round_robin";
    public static final String LEAST_CONNECTIONS = "least_connections";
    public static final String LEAST_RESPONSE_TIME = "least_response_time";
    public static final Set<String> STRATEGIES = Set.of(ROUND_ROBIN, EQUAL_WEIGHTED, WEIGHTED_ROUND_ROBIN,
            LEAST_CONNECTIONS, LEAST_RESPONSE_TIME);

    /** Live load of one instance. */
    public static final class Load {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile double responseMs = -1;

        public int connections() {
            return connections.get();
        }

        public long requests() {
            return requests.get();
        }

        public long failures() {
            return failures.get();
        }

        /** Exponentially weighted moving average of response time; -1 before the first response. */
        public double responseMs() {
            return responseMs;
        }
    }

    /** An instance the balancer may choose. */
    public record Candidate(UUID id, int weight) {
    }

    private final Map<UUID, Load> loads = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicLong> turns = new ConcurrentHashMap<>();
    private final Random random = new Random();

    public Load load(UUID instance) {
        return loads.computeIfAbsent(instance, k -> new Load());
    }

    public void started(UUID instance) {
        Load l = load(instance);
        l.connections.incrementAndGet();
        l.requests.incrementAndGet();
    }

    public void finished(UUID instance, long elapsedMs, boolean ok) {
        Load l = load(instance);
        l.connections.decrementAndGet();
        if (!ok) {
            l.failures.incrementAndGet();
        }
        synchronized (l) {
            l.responseMs = l.responseMs < 0 ? elapsedMs : 0.8 * l.responseMs + 0.2 * elapsedMs;
        }
    }

    /** Picks an instance for {@code user} among {@code pool} (non-empty) by {@code strategy}. */
    public UUID pick(UUID user, String strategy, List<Candidate> pool) {
        long turn = turns.computeIfAbsent(user, k -> new AtomicLong()).getAndIncrement();
        return choose(strategy, pool, turn, random, this::load);
    }

    /** The choice itself, free of state other than the turn counter and loads given. */
    static UUID choose(String strategy, List<Candidate> pool, long turn, Random random,
                       java.util.function.Function<UUID, Load> loads) {
        if (pool.size() == 1) {
            return pool.get(0).id();
        }
        switch (strategy) {
            case EQUAL_WEIGHTED:
                return pool.get(random.nextInt(pool.size())).id();
            case WEIGHTED_ROUND_ROBIN: {
                long total = pool.stream().mapToLong(c -> Math.max(1, c.weight())).sum();
                long slot = Math.floorMod(turn, total);
                for (Candidate c : pool) {
                    slot -= Math.max(1, c.weight());
                    if (slot < 0) {
                        return c.id();
                    }
                }
                return pool.get(0).id();
            }
            case LEAST_CONNECTIONS: {
                // Ties rotate, so an idle pool is still spread evenly.
                int n = pool.size();
                Candidate best = null;
                for (int i = 0; i < n; i++) {
                    Candidate c = pool.get((int) Math.floorMod(turn + i, (long) n));
                    if (best == null || loads.apply(c.id()).connections() < loads.apply(best.id()).connections()) {
                        best = c;
                    }
                }
                return best.id();
            }
            case LEAST_RESPONSE_TIME: {
                // Instances not measured yet are tried first; then the fastest average wins.
                for (Candidate c : pool) {
                    if (loads.apply(c.id()).responseMs() < 0) {
                        return c.id();
                    }
                }
                return pool.stream().min(Comparator.comparingDouble((Candidate c) -> loads.apply(c.id()).responseMs()
                        * (1 + loads.apply(c.id()).connections()))).orElseThrow().id();
            }
            default:
                return pool.get((int) Math.floorMod(turn, (long) pool.size())).id();
        }
    }
}
