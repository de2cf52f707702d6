package dev.ensemble.gpu.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.gpu.config.GpuBrokerConfig;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * io.net IO Cloud, VM-as-a-Service ({@code /enterprise/v1/io-cloud/vmaas}, header {@code x-api-key}):
 * {@code GET /hardware} lists hardware with availability and price per location,
 * {@code POST /deploy} rents ({@code {"status":"success","deployment_id":uuid}}),
 * {@code GET /deployments} lists the account's deployments, {@code DELETE /deployment/{id}} destroys
 * one, {@code POST /deployment/{id}/extend} prolongs a prepaid rental. An offer is one hardware
 * type in one location; its id is {@code <hardware_id>@<location_id>}.
 */
@ApplicationScoped
public class IoNetProvider implements GpuProvider {

    public static final String NAME = "ionet";

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
        return config.ionet().enabled();
    }

    private String api(String path) {
        return ProviderHttp.url(config.ionet().baseUrl(), "/enterprise/v1/io-cloud/vmaas" + path);
    }

    private Map<String, String> auth() {
        return Map.of("x-api-key", config.ionet().apiKey().orElse(""));
    }

    @Override
    public Uni<List<GpuOffer>> offers() {
        return http.call(NAME, HttpMethod.GET, api("/hardware"), auth(), null, config.ionet().timeout()).map(a -> {
            if (!a.ok() || !a.json().path("data").isArray()) {
                throw ProviderHttp.failed(NAME, a);
            }
            List<GpuOffer> offers = new ArrayList<>();
            for (JsonNode h : a.json().path("data")) {
                String name = h.path("hardware_name").asText(h.path("name").asText("unknown"));
                String vendor = h.path("brand_name").asText(GpuCatalog.vendorOf(name)).toUpperCase(Locale.ROOT);
                String model = name.replaceFirst("(?i)^(NVIDIA|AMD|INTEL)\\s+", "");
                int vram = h.path("gpu_memory").asInt(h.path("vram_gb").asInt(0));
                BigDecimal price = decimal(h.has("price_per_gpu_hour_usd") ? h.path("price_per_gpu_hour_usd")
                        : h.path("price_per_hour"));
                int available = h.path("available").asInt(h.path("num_available").asInt(0));
                for (JsonNode loc : h.path("locations")) {
                    String locName = loc.path("iso2").asText("") + (loc.has("name") ? "-" + loc.path("name").asText() : "");
                    offers.add(new GpuOffer(NAME, h.path("hardware_id").asText() + "@" + loc.path("id").asText(),
                            model, vendor, 1, vram, price, locName.toUpperCase(Locale.ROOT),
                            h.path("reliability").asDouble(0.95), available > 0));
                }
            }
            return offers;
        });
    }

    private static BigDecimal decimal(JsonNode n) {
        BigDecimal d = n.isNumber() ? n.decimalValue() : new BigDecimal(n.asText("0").isBlank() ? "0" : n.asText("0"));
        return d.setScale(4, RoundingMode.HALF_UP);
    }

    @Override
    public Uni<Provisioned> create(ProvisionSpec spec) {
        String[] parts = spec.offer().id().split("@", 2);
        if (parts.length != 2) {
            return Uni.createFrom().failure(new OfferGoneException(NAME, spec.offer().id()));
        }
        ObjectNode body = ProviderHttp.JSON.createObjectNode();
        body.put("resource_private_name", spec.label());
        body.put("duration_hours", spec.durationHours());
        body.put("gpus_per_vm", spec.offer().gpuCount());
        body.put("replica_count", 1);
        body.put("hardware_id", parseInt(parts[0]));
        body.putArray("location_ids").add(parseInt(parts[1]));
        return http.call(NAME, HttpMethod.POST, api("/deploy"), auth(), body, config.ionet().timeout()).map(a -> {
            String detail = a.json().toString().toLowerCase(Locale.ROOT);
            if (a.status() == 404 || a.status() == 409
                    || (a.status() == 400 && (detail.contains("not available") || detail.contains("insufficient")))) {
                throw new OfferGoneException(NAME, spec.offer().id());
            }
            if (!a.ok() || !a.json().hasNonNull("deployment_id")) {
                throw ProviderHttp.failed(NAME, a);
            }
            return new Provisioned(a.json().path("deployment_id").asText(), "provisioning");
        });
    }

    private static long parseInt(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ApiException(404, ErrorCode.NOT_FOUND, "offer " + s + " not found");
        }
    }

    @Override
    public Uni<List<ProviderInstance>> instances() {
        return http.call(NAME, HttpMethod.GET, api("/deployments"), auth(), null, config.ionet().timeout()).map(a -> {
            JsonNode list = a.json().path("data").path("deployments");
            if (!a.ok() || !list.isArray()) {
                throw ProviderHttp.failed(NAME, a);
            }
            List<ProviderInstance> out = new ArrayList<>();
            for (JsonNode d : list) {
                String host = d.path("public_ip").asText(d.path("ip").asText(null));
                Integer port = null;
                if (d.has("port")) {
                    port = d.path("port").asInt();
                } else if (host != null) {
                    port = config.proxy().instancePort();
                }
                out.add(new ProviderInstance(d.path("id").asText(), d.path("name").asText(
                        d.path("resource_private_name").asText(null)), status(d.path("status").asText("")), host, port));
            }
            return out;
        });
    }

    static String status(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "running", "active", "deployed" -> "running";
            case "completed", "destroyed", "terminated", "stopped", "expired" -> "stopped";
            case "failed", "error" -> "failed";
            default -> "provisioning";
        };
    }

    @Override
    public Uni<Void> destroy(String providerInstanceId) {
        return http.call(NAME, HttpMethod.DELETE, api("/deployment/" + VastAiProvider.enc(providerInstanceId)), auth(),
                null, config.ionet().timeout()).map(a -> {
            if (!a.ok() && a.status() != 404) {
                throw ProviderHttp.failed(NAME, a);
            }
            return null;
        });
    }

    @Override
    public Uni<Void> extend(String providerInstanceId, int hours) {
        ObjectNode body = ProviderHttp.JSON.createObjectNode().put("duration_hours", hours);
        return http.call(NAME, HttpMethod.POST, api("/deployment/" + VastAiProvider.enc(providerInstanceId) + "/extend"),
                auth(), body, config.ionet().timeout()).map(a -> {
            if (!a.ok()) {
                throw ProviderHttp.failed(NAME, a);
            }
            return null;
        });
    }
}
