package dev.ensemble.gpu.provider;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Locale;
import java.util.Map;

/**
 * vast.ai over its REST API (base {@code /api/v0}, {@code Authorization: Bearer <key>}):
 * {@code GET /bundles/?q=<json>} searches offers, {@code PUT /asks/{offer}/} rents one
 * ({@code {"success":true,"new_contract":id}}), {@code GET /instances/} lists the account's
 * instances, {@code DELETE /instances/{id}/} destroys one.
 */
@ApplicationScoped
public class VastAiProvider implements GpuProvider {

    public static final String NAME = "vastai";

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
        return config.vastai().enabled();
    }

    private String api(String path) {
        return ProviderHttp.url(config.vastai().baseUrl(), "/api/v0" + path);
    }

    private Map<String, String> auth() {
        return Map.of("Authorization", "Bearer " + config.vastai().apiKey().orElse(""));
    }

    @Override
    public Uni<List<GpuOffer>> offers() {
        ObjectNode q = ProviderHttp.JSON.createObjectNode();
        q.putObject("rentable").put("eq", true);
        q.putObject("rented").put("eq", false);
        q.put("type", "on-demand");
        q.putArray("order").addArray().add("dph_total").add("asc");
        q.put("limit", config.vastai().searchLimit());
        String url = api("/bundles/?q=" + URLEncoder.encode(q.toString(), StandardCharsets.UTF_8));
        return http.call(NAME, HttpMethod.GET, url, auth(), null, config.vastai().timeout()).map(a -> {
            if (!a.ok() || !a.json().path("offers").isArray()) {
                throw ProviderHttp.failed(NAME, a);
            }
            List<GpuOffer> offers = new ArrayList<>();
            for (JsonNode o : a.json().path("offers")) {
                offers.add(offer(o));
            }
            return offers;
        });
    }

    static GpuOffer offer(JsonNode o) {
        String gpu = o.path("gpu_name").asText("unknown").replace('_', ' ');
        int count = Math.max(1, o.path("num_gpus").asInt(1));
        // gpu_ram is per GPU in MB.
        int vram = (int) Math.round(o.path("gpu_ram").asDouble(0) / 1024.0);
        BigDecimal price = o.path("dph_total").isNumber() ? o.path("dph_total").decimalValue()
                : new BigDecimal(o.path("dph_total").asText("0"));
        double reliability = o.has("reliability2") ? o.path("reliability2").asDouble() : o.path("reliability").asDouble(0);
        String location = o.path("geolocation").asText("");
        boolean available = !o.has("rentable") || o.path("rentable").asBoolean(true);
        return new GpuOffer(NAME, o.path("id").asText(), gpu, GpuCatalog.vendorOf(gpu), count, vram,
                price.setScale(4, RoundingMode.HALF_UP), location, reliability, available);
    }

    @Override
    public Uni<Provisioned> create(ProvisionSpec spec) {
        ObjectNode body = ProviderHttp.JSON.createObjectNode();
        body.put("client_id", "me");
        body.put("image", config.vastai().image());
        body.put("disk", config.vastai().diskGb());
        body.put("label", spec.label());
        body.put("runtype", "args");
        // Docker-style port mapping: the workload port is published and listed under "ports".
        body.putObject("env").put("-p " + config.proxy().instancePort() + ":" + config.proxy().instancePort(), "1");
        String url = api("/asks/" + enc(spec.offer().id()) + "/");
        return http.call(NAME, HttpMethod.PUT, url, auth(), body, config.vastai().timeout()).map(a -> {
            String error = a.json().path("error").asText("").toLowerCase(Locale.ROOT);
            if (a.status() == 404 || a.status() == 410 || error.contains("no_such_ask") || error.contains("unavailable")) {
                throw new OfferGoneException(NAME, spec.offer().id());
            }
            if (!a.ok() || !a.json().path("success").asBoolean(false) || !a.json().has("new_contract")) {
                throw ProviderHttp.failed(NAME, a);
            }
            return new Provisioned(a.json().path("new_contract").asText(), "provisioning");
        });
    }

    @Override
    public Uni<List<ProviderInstance>> instances() {
        return http.call(NAME, HttpMethod.GET, api("/instances/"), auth(), null, config.vastai().timeout()).map(a -> {
            if (!a.ok() || !a.json().path("instances").isArray()) {
                throw ProviderHttp.failed(NAME, a);
            }
            List<ProviderInstance> list = new ArrayList<>();
            for (JsonNode i : a.json().path("instances")) {
                list.add(new ProviderInstance(i.path("id").asText(), i.path("label").asText(null),
                        status(i.path("actual_status").asText("")), i.path("public_ipaddr").asText(null),
                        port(i.path("ports"))));
            }
            return list;
        });
    }

    private Integer port(JsonNode ports) {
        JsonNode mapping = ports.path(config.proxy().instancePort() + "/tcp");
        if (mapping.isArray() && !mapping.isEmpty()) {
            int p = mapping.get(0).path("HostPort").asInt(0);
            return p > 0 ? p : null;
        }
        return null;
    }

    static String status(String actual) {
        return switch (actual.toLowerCase(Locale.ROOT)) {
            case "running" -> "running";
            case "exited", "stopped", "offline" -> "stopped";
            case "failed", "error" -> "failed";
            default -> "provisioning";
        };
    }

    @Override
    public Uni<Void> destroy(String providerInstanceId) {
        return http.call(NAME, HttpMethod.DELETE, api("/instances/" + enc(providerInstanceId) + "/"), auth(), null,
                config.vastai().timeout()).map(a -> {
            if (!a.ok() && a.status() != 404) {
                throw ProviderHttp.failed(NAME, a);
            }
            return null;
        });
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
