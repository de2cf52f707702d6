package dev.ensemble.gateway.routing;

import java.util.List;

/** The names of the services behind the gateway, as used in configuration and in health answers. */
public final class Services {
    public static final String AUTH = "auth";
    public static final String INFERENCE = "inference";
    public static final String JOB = "job";
    public static final String GPU_BROKER = "gpu-broker";
    public static final String BILLING = "billing";

    /** Every upstream, in the order health answers list them. */
    public static final List<String> ALL = List.of(AUTH, INFERENCE, JOB, GPU_BROKER, BILLING);

    private Services() {
    }
}
