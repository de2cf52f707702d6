package dev.ensemble.gpu.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** gpu-broker-service settings. */
@ConfigMapping(prefix = "ensemble.gpu")
public interface GpuBrokerConfig {

    /** Whether the simulated marketplace is offered (on in the embedded default only). */
    @WithDefault("false")
    boolean sandboxEnabled();
}
