package dev.ensemble.gpu.balancer;

import dev.ensemble.gpu.config.GpuBrokerConfig;
import dev.ensemble.gpu.instances.GpuContract;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Strategy per user (stored) and the pool of the user's running instances (weights: GPU count unless set). */
@ApplicationScoped
public class BalancerService {

    @Inject
    LoadBalancer balancer;

    @Inject
    GpuBrokerConfig config;

    public record Settings(String strategy, Map<String, Integer> weights) {
    }

    public Uni<Settings> settings(UUID user) {
        return Panache.withSession(() -> LbSettings.<LbSettings>findById(user)).map(s -> s == null
                ? new Settings(LoadBalancer.ROUND_ROBIN, Map.of())
                : new Settings(s.strategy, parse(s.weights)));
    }

    public Uni<Settings> save(UUID user, String strategy, Map<String, Integer> weights) {
        return Panache.withTransaction(() -> LbSettings.<LbSettings>findById(user).chain(existing -> {
            LbSettings s = existing != null ? existing : new LbSettings();
            s.userId = user;
            s.strategy = strategy;
            if (weights != null) {
                s.weights = format(weights);
            }
            s.updatedAt = Instant.now();
            return s.<LbSettings>persist().map(saved -> new Settings(saved.strategy, parse(saved.weights)));
        }));
    }

    /** Chooses one of {@code running} for the user by the user's strategy. */
    public Uni<GpuContract> pick(UUID user, List<GpuContract> running) {
        return settings(user).map(s -> {
            List<LoadBalancer.Candidate> pool = running.stream()
                    .map(c -> new LoadBalancer.Candidate(c.id, s.weights().getOrDefault(c.id.toString(), Math.max(1, c.gpuCount))))
                    .toList();
            UUID chosen = balancer.pick(user, s.strategy(), pool);
            return running.stream().filter(c -> c.id.equals(chosen)).findFirst().orElseThrow();
        });
    }

    /** The seed's load of one instance, plus counters. */
    public Map<String, Object> loadOf(GpuContract c) {
        LoadBalancer.Load l = balancer.load(c.id);
        int capacity = Math.max(1, c.gpuCount * config.proxy().connectionsPerGpu());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", l.connections());
        m.put("load", BigDecimal.valueOf(Math.min(1.0, l.connections() / (double) capacity)).setScale(2, RoundingMode.HALF_UP));
        m.put("response_time_ms", l.responseMs() < 0 ? 0 : Math.round(l.responseMs()));
        m.put("requests", l.requests());
        m.put("failures", l.failures());
        m.put("provider", c.provider);
        m.put("instance_id", c.offerId);
        m.put("contract_id", c.id.toString());
        m.put("status", c.status);
        return m;
    }

    static Map<String, Integer> parse(String s) {
        Map<String, Integer> m = new LinkedHashMap<>();
        if (s == null || s.isBlank()) {
            return m;
        }
        for (String pair : s.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2) {
                try {
                    m.put(kv[0], Integer.parseInt(kv[1]));
                } catch (NumberFormatException ignored) {
                    // Stored by save() only; skip anything unreadable.
                }
            }
        }
        return m;
    }

    static String format(Map<String, Integer> weights) {
        StringBuilder b = new StringBuilder();
        weights.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }
}
