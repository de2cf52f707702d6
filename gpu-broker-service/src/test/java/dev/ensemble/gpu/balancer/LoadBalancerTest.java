package dev.ensemble.gpu.balancer;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each strategy's distribution over many requests. */
class LoadBalancerTest {

    final UUID a = UUID.randomUUID();
    final UUID b = UUID.randomUUID();
    final UUID c = UUID.randomUUID();
    final List<LoadBalancer.Candidate> pool = List.of(new LoadBalancer.Candidate(a, 1), new LoadBalancer.Candidate(b, 2),
            new LoadBalancer.Candidate(c, 5));
    final Map<UUID, LoadBalancer.Load> loads = new HashMap<>();

    LoadBalancer.Load load(UUID id) {
        return loads.computeIfAbsent(id, k -> new LoadBalancer.Load());
    }

    Map<UUID, Integer> run(String strategy, int n) {
        Random random = new Random(42);
        Map<UUID, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(LoadBalancer.choose(strategy, pool, i, random, this::load), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinRotates() {
        assertEquals(Map.of(a, 300, b, 300, c, 300), run(LoadBalancer.ROUND_ROBIN, 900));
    }

    @Test
    void weightedRoundRobinFollowsWeights() {
        assertEquals(Map.of(a, 100, b, 200, c, 500), run(LoadBalancer.WEIGHTED_ROUND_ROBIN, 800));
    }

    @Test
    void equalWeightedIsUniformOverTime() {
        Map<UUID, Integer> counts = run(LoadBalancer.EQUAL_WEIGHTED, 9000);
        counts.values().forEach(n -> assertTrue(n > 2700 && n < 3300, counts.toString()));
    }

    @Test
    void leastConnectionsAvoidsBusyInstances() {
        load(a).connections.set(5);
        load(b).connections.set(1);
        load(c).connections.set(3);
        assertEquals(Map.of(b, 100), run(LoadBalancer.LEAST_CONNECTIONS, 100));
        load(b).connections.set(0);
        load(a).connections.set(0);
        load(c).connections.set(0);
        assertEquals(Map.of(a, 100, b, 100, c, 100), run(LoadBalancer.LEAST_CONNECTIONS, 300), "idle pool: even");
    }

    @Test
    void leastResponseTimeTriesEachThenPrefersTheFastest() {
        LoadBalancer lb = new LoadBalancer();
        UUID user = UUID.randomUUID();
        Map<UUID, Long> latency = Map.of(a, 40L, b, 5L, c, 20L);
        Map<UUID, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            UUID chosen = lb.pick(user, LoadBalancer.LEAST_RESPONSE_TIME, pool);
            lb.started(chosen);
            lb.finished(chosen, latency.get(chosen), true);
            counts.merge(chosen, 1, Integer::sum);
        }
        assertEquals(1, counts.get(a));
        assertEquals(1, counts.get(c));
        assertEquals(98, counts.get(b));
        assertEquals(5.0, lb.load(b).responseMs(), 0.001);
        assertEquals(0, lb.load(b).connections());
    }
}
