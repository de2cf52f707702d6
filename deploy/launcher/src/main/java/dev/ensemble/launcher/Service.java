package dev.ensemble.launcher;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The six services of the suite, with their conventional ports, URL variables and databases. */
public enum Service {

    AUTH("auth-service", 8081, "ENSEMBLE_AUTH_URL", "ensemble_auth"),
    BILLING("billing-service", 8085, "ENSEMBLE_BILLING_URL", "ensemble_billing"),
    INFERENCE("inference-service", 8082, "ENSEMBLE_INFERENCE_URL", "ensemble_inference"),
    JOB("job-service", 8083, "ENSEMBLE_JOB_URL", "ensemble_job"),
    GPU_BROKER("gpu-broker-service", 8084, "ENSEMBLE_GPU_BROKER_URL", "ensemble_gpu_broker"),
    GATEWAY("gateway-service", 8080, "ENSEMBLE_GATEWAY_URL", "ensemble_gateway");

    private final String module;
    private final int defaultPort;
    private final String urlVariable;
    private final String database;

    Service(String module, int defaultPort, String urlVariable, String database) {
        this.module = module;
        this.defaultPort = defaultPort;
        this.urlVariable = urlVariable;
        this.database = database;
    }

    /** The Maven module directory and the name used for logs and PID files, e.g. {@code auth-service}. */
    public String module() {
        return module;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** The variable that tells the other services where this one is, e.g. {@code ENSEMBLE_AUTH_URL}. */
    public String urlVariable() {
        return urlVariable;
    }

    /** The variable that chooses this service's port for the launcher, e.g. {@code ENSEMBLE_AUTH_PORT}. */
    public String portVariable() {
        return "ENSEMBLE_" + name() + "_PORT";
    }

    public String database() {
        return database;
    }

    /** The packaged application (Quarkus fast-jar) under the repository root. */
    public Path jar(Path repositoryRoot) {
        return repositoryRoot.resolve(module).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
    }

    /** The services behind the gateway, started first. */
    public static List<Service> backends() {
        return Arrays.stream(values()).filter(s -> s != GATEWAY).toList();
    }

    /** Finds a service by module name ({@code auth-service}), short name ({@code auth}) or enum name. */
    public static Optional<Service> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values())
                .filter(s -> s.module.equals(n) || s.module.equals(n + "-service")
                        || s.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(n))
                .findFirst();
    }
}
