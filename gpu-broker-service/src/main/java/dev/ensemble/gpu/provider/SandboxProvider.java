package dev.ensemble.gpu.provider;

import dev.ensemble.gpu.config.GpuBrokerConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;

/** SANDBOX provider: the simulated {@link SandboxMarket}; on by default only in the embedded default. */
@ApplicationScoped
public class SandboxProvider implements GpuProvider {

    public static final String NAME = "sandbox";

    @Inject
    GpuBrokerConfig config;

    private volatile SandboxMarket market;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean enabled() {
        return config.sandbox().enabled();
    }

    SandboxMarket market() {
        SandboxMarket m = market;
        if (m == null) {
            synchronized (this) {
                if (market == null) {
                    var c = config.sandbox();
                    market = new SandboxMarket(c.seed().orElse(System.nanoTime()), c.failureRate(),
                            c.provisioningDelay(), c.offerCount(), c.churn());
                }
                m = market;
            }
        }
        return m;
    }

    @Override
    public Uni<List<GpuOffer>> offers() {
        return Uni.createFrom().item(() -> market().offers());
    }

    @Override
    public Uni<Provisioned> create(ProvisionSpec spec) {
        return Uni.createFrom().item(() -> market().create(spec.offer().id(), spec.label(), Instant.now()));
    }

    @Override
    public Uni<List<ProviderInstance>> instances() {
        return Uni.createFrom().item(() -> market().instances(Instant.now()));
    }

    @Override
    public Uni<Void> destroy(String providerInstanceId) {
        return Uni.createFrom().item(() -> {
            market().destroy(providerInstanceId);
            return null;
        });
    }
}
