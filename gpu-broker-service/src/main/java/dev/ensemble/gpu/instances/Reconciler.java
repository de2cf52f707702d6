package dev.ensemble.gpu.instances;

import dev.ensemble.gpu.config.GpuBrokerConfig;
import dev.ensemble.gpu.provider.GpuProvider;
import dev.ensemble.gpu.provider.ProviderInstance;
import dev.ensemble.gpu.provider.Providers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Keeps the contracts true to what each provider actually runs and bills. Every pass lists each
 * provider's instances and: marks created instances running (with their endpoint); ends contracts
 * whose instance the provider no longer runs (state drift); destroys instances labelled by Ensemble
 * whose contract failed or ended (a create that reported failure but left a billable machine) or
 * that no contract knows; and at the end of a rental renews it (auto_renew) or destroys it, reporting
 * the GPU time on usage.events in the transaction that records the change.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final String LABEL_PREFIX = "ensemble-";

    @Inject
    Providers providers;

    @Inject
    ContractService contracts;

    @Inject
    GpuBrokerConfig config;

    /** What one pass did, per provider. */
    public static final class Report {
        public final Map<String, Map<String, Integer>> providers = new LinkedHashMap<>();
        public final List<String> errors = new ArrayList<>();

        synchronized void count(String provider, String what) {
            providers.computeIfAbsent(provider, k -> new LinkedHashMap<>()).merge(what, 1, Integer::sum);
        }
    }

    /** Skips the scheduled pass when reconciliation is switched off (tests trigger it themselves). */
    @Singleton
    public static class Disabled implements Scheduled.SkipPredicate {
        @Inject
        GpuBrokerConfig config;

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.reconcile().enabled();
        }
    }

    @Scheduled(every = "${gpu-broker.reconcile.every:30s}", delayed = "${gpu-broker.reconcile.delay:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Disabled.class)
    Uni<Void> scheduled() {
        return reconcile(Instant.now()).invoke(r -> {
            if (!r.errors.isEmpty()) {
                LOG.warnf("reconciliation finished with errors: %s", r.errors);
            }
        }).replaceWithVoid().onFailure().recoverWithItem(e -> {
            LOG.warn("reconciliation failed", e);
            return null;
        });
    }

    /** One pass over every enabled provider, as of {@code now}. */
    public Uni<Report> reconcile(Instant now) {
        Report report = new Report();
        return Multi.createFrom().iterable(providers.enabled())
                .onItem().transformToUniAndConcatenate(p -> reconcile(p, now, report)
                        .onFailure().recoverWithItem(e -> {
                            report.errors.add(p.name() + ": " + e.getMessage());
                            return null;
                        }))
                .collect().last().replaceWith(report);
    }

    Uni<Void> reconcile(GpuProvider provider, Instant now, Report report) {
        return provider.instances().chain(remote -> {
            Map<String, ProviderInstance> byLabel = new HashMap<>();
            for (ProviderInstance r : remote) {
                if (r.label() != null && r.label().startsWith(LABEL_PREFIX)) {
                    byLabel.put(r.label(), r);
                }
            }
            List<String> labels = byLabel.isEmpty() ? List.of("-") : new ArrayList<>(byLabel.keySet());
            return Panache.withSession(() -> GpuContract.<GpuContract>find(
                            "provider = ?1 and (status in ?2 or label in ?3)", provider.name(),
                            List.of(GpuContract.PROVISIONING, GpuContract.RUNNING), labels).list())
                    .chain(known -> {
                        List<Supplier<Uni<Void>>> actions = new ArrayList<>();
                        for (GpuContract c : known) {
                            ProviderInstance r = byLabel.remove(c.label);
                            actions.add(() -> check(provider, c.id, r, now, report));
                        }
                        for (ProviderInstance stray : byLabel.values()) {
                            if (!"stopped".equals(stray.status())) {
                                actions.add(() -> provider.destroy(stray.id()).invoke(() -> {
                                    LOG.warnf("destroyed %s instance %s (%s) that no contract knows", provider.name(),
                                            stray.id(), stray.label());
                                    report.count(provider.name(), "orphans_destroyed");
                                }));
                            }
                        }
                        return Multi.createFrom().iterable(actions)
                                .onItem().transformToUniAndConcatenate(a -> a.get().onFailure().recoverWithItem(e -> {
                                    report.errors.add(provider.name() + ": " + e.getMessage());
                                    return null;
                                }))
                                .collect().last().replaceWithVoid();
                    });
        });
    }

    /** Brings one contract in line with the provider's view {@code r} (null when not listed). */
    Uni<Void> check(GpuProvider provider, UUID id, ProviderInstance r, Instant now, Report report) {
        return Panache.withSession(() -> GpuContract.<GpuContract>findById(id)).chain(c -> {
            if (c == null) {
                return Uni.createFrom().voidItem();
            }
            if (!c.active()) {
                if (r != null && !"stopped".equals(r.status())) {
                    // Failed or ended here, still alive (and billing) there: destroy it.
                    return provider.destroy(r.id()).chain(() -> tx(id, fresh -> {
                        if (fresh.providerInstanceId == null) {
                            fresh.providerInstanceId = r.id();
                        }
                        fresh.updatedAt = now;
                        report.count(provider.name(), "orphans_destroyed");
                        return contracts.eventAs(fresh, "orphan_destroyed", fresh.status,
                                "instance left behind at the provider was destroyed", null);
                    }));
                }
                return Uni.createFrom().voidItem();
            }
            report.count(provider.name(), "checked");
            if (r == null || "stopped".equals(r.status()) || "failed".equals(r.status())) {
                Duration grace = config.reconcile().provisioningGrace();
                // A create still in flight (or one that reported failure) has no provider id yet: give it time.
                if (r == null && c.providerInstanceId == null && c.createdAt.plus(grace).isAfter(now)) {
                    return Uni.createFrom().voidItem();
                }
                String why = r == null ? "the provider no longer lists the instance" : "the provider reports it " + r.status();
                return tx(id, fresh -> {
                    report.count(provider.name(), "lost");
                    return contracts.end(fresh, GpuContract.FAILED, now, why, null).invoke(() -> fresh.error = why);
                });
            }
            boolean expired = c.expiresAt != null && !now.isBefore(c.expiresAt);
            boolean running = "running".equals(r.status());
            boolean changed = (running && !GpuContract.RUNNING.equals(c.status))
                    || c.providerInstanceId == null
                    || (r.host() != null && (!r.host().equals(c.endpointHost) || !java.util.Objects.equals(r.port(), c.endpointPort)));
            Uni<Void> sync = !changed ? Uni.createFrom().voidItem() : tx(id, fresh -> {
                String previous = fresh.status;
                if (fresh.providerInstanceId == null) {
                    fresh.providerInstanceId = r.id();
                }
                fresh.endpointHost = r.host();
                fresh.endpointPort = r.port();
                fresh.updatedAt = now;
                if (running && !GpuContract.RUNNING.equals(previous)) {
                    fresh.status = GpuContract.RUNNING;
                    report.count(provider.name(), "now_running");
                    return contracts.event(fresh, previous, null, null);
                }
                return Uni.createFrom().voidItem();
            });
            return expired ? sync.chain(() -> expire(provider, c, r, now, report)) : sync;
        });
    }

    private Uni<Void> expire(GpuProvider provider, GpuContract c, ProviderInstance r, Instant now, Report report) {
        if (c.autoRenew) {
            // As many whole periods as it takes to reach beyond now (usually one).
            Duration period = Duration.ofHours(Math.max(1, c.durationHours));
            long periods = Duration.between(c.expiresAt, now).toSeconds() / period.toSeconds() + 1;
            return provider.extend(r.id(), (int) (c.durationHours * periods)).chain(() -> tx(c.id, fresh -> {
                Instant end = fresh.expiresAt;
                return contracts.bill(fresh, end, null).chain(() -> {
                    fresh.expiresAt = end.plus(period.multipliedBy(periods));
                    fresh.updatedAt = now;
                    report.count(provider.name(), "renewed");
                    return contracts.eventAs(fresh, "renewed", fresh.status, "auto_renew", null);
                });
            }));
        }
        return provider.destroy(r.id()).chain(() -> tx(c.id, fresh -> {
            report.count(provider.name(), "expired");
            return contracts.end(fresh, GpuContract.EXPIRED, now, "rental period ended", null);
        }));
    }

    private Uni<Void> tx(UUID id, java.util.function.Function<GpuContract, Uni<Void>> change) {
        return Panache.withTransaction(() -> GpuContract.<GpuContract>findById(id).chain(c -> change.apply(c)));
    }
}
