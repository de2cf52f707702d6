package dev.ensemble.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The suite as docs/conventions.md fixes it, and where the k8s/ directory is. */
final class Suite {

    record Service(String name, int port, String urlVariable, String database) {
    }

    static final List<Service> SERVICES = List.of(
            new Service("gateway-service", 8080, "ENSEMBLE_GATEWAY_URL", "ensemble_gateway"),
            new Service("auth-service", 8081, "ENSEMBLE_AUTH_URL", "ensemble_auth"),
            new Service("inference-service", 8082, "ENSEMBLE_INFERENCE_URL", "ensemble_inference"),
            new Service("job-service", 8083, "ENSEMBLE_JOB_URL", "ensemble_job"),
            new Service("gpu-broker-service", 8084, "ENSEMBLE_GPU_BROKER_URL", "ensemble_gpu_broker"),
            new Service("billing-service", 8085, "ENSEMBLE_BILLING_URL", "ensemble_billing"));

    /** The services whose pods need a GPU in production. */
    static final List<String> GPU_SERVICES = List.of("inference-service", "job-service");

    static final String NAMESPACE = "ensemble";
    static final String CONFIG_MAP = "ensemble-config";
    static final String SECRET = "ensemble-secrets";
    static final String SIGNING_KEY_SECRET = "ensemble-auth-signing-key";
    static final String KAFKA = "ensemble-kafka";
    static final String POSTGRES = "ensemble-pg";

    /** Secrets an operator provides outside the kustomizations (besides the templates of base/secrets). */
    static final Map<String, String> OTHER_EXTERNAL_SECRETS = Map.of(
            "ensemble-tls", "the Ingress certificate, from cert-manager or the operator (README.md)");

    private Suite() {
    }

    /** k8s/ (the module's directory). */
    static Path dir() {
        String configured = System.getProperty("ensemble.k8s.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("base"))) {
            throw new IllegalStateException("not the k8s module directory: " + dir);
        }
        return dir;
    }

    /** The repository root (services live beside k8s/). */
    static Path root() {
        return dir().getParent();
    }

    static Path base() {
        return dir().resolve("base");
    }

    /** base and every overlay. */
    static List<Path> kustomizations() {
        List<Path> out = new ArrayList<>();
        out.add(base());
        Path overlays = dir().resolve("overlays");
        if (Files.isDirectory(overlays)) {
            try (Stream<Path> s = Files.list(overlays)) {
                s.filter(p -> Kustomize.kustomizationFile(p) != null).sorted().forEach(out::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    static Path rendered() {
        String configured = System.getProperty("ensemble.k8s.rendered");
        return configured != null ? Path.of(configured) : dir().resolve("target/kustomize");
    }
}
