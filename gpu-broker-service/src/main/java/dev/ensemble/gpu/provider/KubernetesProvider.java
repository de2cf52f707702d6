package dev.ensemble.gpu.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.gpu.config.GpuBrokerConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cluster's own GPU nodes through the Kubernetes API (bearer token): offers are schedulable
 * Ready nodes with {@code nvidia.com/gpu} allocatable ({@code GET /api/v1/nodes}; model and memory
 * from the GPU feature discovery labels {@code nvidia.com/gpu.product}/{@code nvidia.com/gpu.memory});
 * an instance is a Pod requesting {@code nvidia.com/gpu}, pinned to the node, labelled
 * {@code app.kubernetes.io/managed-by=ensemble-gpu-broker}.
 */
@ApplicationScoped
public class KubernetesProvider implements GpuProvider {

    public static final String NAME = "kubernetes";
    static final String GPU = "nvidia.com/gpu";
    static final String MANAGED = "app.kubernetes.io/managed-by";
    static final String MANAGER = "ensemble-gpu-broker";

    @Inject
    GpuBrokerConfig config;

    @Inject
    ProviderHttp http;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean enabled() {
        return config.kubernetes().enabled();
    }

    private String api(String path) {
        return ProviderHttp.url(config.kubernetes().baseUrl(), path);
    }

    /** Where a pod finds its service account's token (the Deployment runs as gpu-broker-service, see k8s/base/rbac). */
    static final java.nio.file.Path SERVICE_ACCOUNT_TOKEN =
            java.nio.file.Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + config.kubernetes().token().filter(t -> !t.isBlank())
                .orElseGet(KubernetesProvider::serviceAccountToken));
    }

    /** The mounted service-account token, read on every call because the kubelet rotates it. */
    private static String serviceAccountToken() {
        try {
            return java.nio.file.Files.readString(SERVICE_ACCOUNT_TOKEN).trim();
        } catch (java.io.IOException | SecurityException e) {
            return "";
        }
    }

    private String pods() {
        return "/api/v1/namespaces/" + VastAiProvider.enc(config.kubernetes().namespace()) + "/pods";
    }

    @Override
    public Uni<List<GpuOffer>> offers() {
        BigDecimal perGpu = new BigDecimal(config.kubernetes().pricePerGpuHour());
        return http.call(NAME, HttpMethod.GET, api("/api/v1/nodes"), auth(), null, config.kubernetes().timeout()).map(a -> {
            if (!a.ok() || !a.json().path("items").isArray()) {
                throw ProviderHttp.failed(NAME, a);
            }
            List<GpuOffer> offers = new ArrayList<>();
            for (JsonNode node : a.json().path("items")) {
                int gpus = node.path("status").path("allocatable").path(GPU).asInt(0);
                if (gpus <= 0) {
                    continue;
                }
                JsonNode labels = node.path("metadata").path("labels");
                String product = labels.path("nvidia.com/gpu.product").asText("NVIDIA GPU").replace('-', ' ');
                String model = product.replaceFirst("(?i)^NVIDIA\\s+", "");
                int vram = (int) Math.round(labels.path("nvidia.com/gpu.memory").asDouble(0) / 1024.0);
                String location = labels.path("topology.kubernetes.io/zone").asText(
                        labels.path("topology.kubernetes.io/region").asText("cluster"));
                boolean ready = false;
                for (JsonNode c : node.path("status").path("conditions")) {
                    if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
                        ready = true;
                    }
                }
                boolean schedulable = !node.path("spec").path("unschedulable").asBoolean(false);
                offers.add(new GpuOffer(NAME, node.path("metadata").path("name").asText(), model, "NVIDIA", gpus, vram,
                        perGpu.multiply(BigDecimal.valueOf(gpus)).setScale(4, RoundingMode.HALF_UP), location,
                        ready ? 0.999 : 0.0, ready && schedulable));
            }
            return offers;
        });
    }

    @Override
    public Uni<Provisioned> create(ProvisionSpec spec) {
        ObjectNode pod = ProviderHttp.JSON.createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.put("name", spec.label());
        meta.putObject("labels").put(MANAGED, MANAGER).put("ensemble.dev/contract", spec.label());
        ObjectNode podSpec = pod.putObject("spec");
        podSpec.put("restartPolicy", "Never");
        podSpec.put("activeDeadlineSeconds", (long) spec.durationHours() * 3600);
        podSpec.putObject("nodeSelector").put("kubernetes.io/hostname", spec.offer().id());
        ArrayNode tolerations = podSpec.putArray("tolerations");
        tolerations.addObject().put("key", GPU).put("operator", "Exists").put("effect", "NoSchedule");
        ObjectNode container = podSpec.putArray("containers").addObject();
        container.put("name", "workload");
        container.put("image", config.kubernetes().image());
        container.putArray("ports").addObject().put("containerPort", config.proxy().instancePort());
        ObjectNode resources = container.putObject("resources");
        resources.putObject("limits").put(GPU, String.valueOf(spec.offer().gpuCount()));
        return http.call(NAME, HttpMethod.POST, api(pods()), auth(), pod, config.kubernetes().timeout()).map(a -> {
            if (a.status() == 409) {
                throw ProviderHttp.failed(NAME, a);
            }
            if (!a.ok()) {
                throw ProviderHttp.failed(NAME, a);
            }
            return new Provisioned(a.json().path("metadata").path("name").asText(spec.label()), "provisioning");
        });
    }

    @Override
    public Uni<List<ProviderInstance>> instances() {
        String url = api(pods() + "?labelSelector=" + URLEncoder.encode(MANAGED + "=" + MANAGER, StandardCharsets.UTF_8));
        return http.call(NAME, HttpMethod.GET, url, auth(), null, config.kubernetes().timeout()).map(a -> {
            if (!a.ok() || !a.json().path("items").isArray()) {
                throw ProviderHttp.failed(NAME, a);
            }
            List<ProviderInstance> out = new ArrayList<>();
            for (JsonNode p : a.json().path("items")) {
                String name = p.path("metadata").path("name").asText();
                String phase = p.path("status").path("phase").asText("Pending");
                String status = switch (phase) {
                    case "Running" -> "running";
                    case "Succeeded" -> "stopped";
                    case "Failed" -> "failed";
                    default -> "provisioning";
                };
                out.add(new ProviderInstance(name, name, status, p.path("status").path("podIP").asText(null),
                        config.proxy().instancePort()));
            }
            return out;
        });
    }

    @Override
    public Uni<Void> destroy(String providerInstanceId) {
        return http.call(NAME, HttpMethod.DELETE, api(pods() + "/" + VastAiProvider.enc(providerInstanceId)), auth(),
                null, config.kubernetes().timeout()).map(a -> {
            if (!a.ok() && a.status() != 404) {
                throw ProviderHttp.failed(NAME, a);
            }
            return null;
        });
    }
}
