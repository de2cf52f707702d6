package dev.ensemble.auth.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.auth.config.AuthConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers a user's data from every service through the internal contract: each answers
 * {@code GET /internal/v1/export} (with the user's own JWT) as {@code {"service", "data"}}. The
 * members of each {@code data} land at the top of the export (so billing's {@code transactions}
 * sit where AIServe.Farm's export shows them); a service that is down or too slow is reported
 * under {@code services} as unavailable instead of failing the export.
 */
@ApplicationScoped
public class ExportService {

    private static final Logger LOG = Logger.getLogger(ExportService.class);

    @Inject
    Vertx vertx;

    @Inject
    AuthConfig config;

    @Inject
    ObjectMapper json;

    private HttpClient client;

    @PostConstruct
    void init() {
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000).setName("auth-export"));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** One service's part: its data, or why it is missing. */
    public record Part(String service, String status, JsonNode data, String error) {
    }

    /** Every configured service's part, gathered in parallel. */
    public Uni<List<Part>> gather(String bearerToken) {
        List<Uni<Part>> calls = new ArrayList<>();
        config.services().forEach((name, url) -> calls.add(fetch(name, url, bearerToken)));
        if (calls.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(calls).andCollectFailures().map(List::copyOf);
    }

    private Uni<Part> fetch(String name, String url, String token) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(url.replaceAll("/$", "") + "/internal/v1/export")
                .setTimeout(config.exportTimeout().toMillis())
                .putHeader("Authorization", "Bearer " + token)
                .putHeader("Accept", "application/json");
        var future = client.request(options).compose(req -> req.send()
                .compose(resp -> resp.body().map(body -> Map.entry(resp.statusCode(), body))));
        return Uni.createFrom().completionStage(future.toCompletionStage()).map(r -> {
            if (r.getKey() != 200) {
                return new Part(name, "unavailable", null, "answered " + r.getKey());
            }
            try {
                JsonNode n = json.readTree(r.getValue().getBytes());
                return new Part(name, "ok", n.has("data") ? n.get("data") : n, null);
            } catch (Exception e) {
                return new Part(name, "unavailable", null, "unreadable answer");
            }
        }).onFailure().recoverWithItem(e -> {
            LOG.debugf("export: %s unavailable: %s", name, e.getMessage());
            return new Part(name, "unavailable", null, e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage());
        });
    }

    /** The export document: auth's own members, then each service's, then the status of every part. */
    public Map<String, Object> document(Map<String, Object> own, List<Part> parts) {
        Map<String, Object> doc = new LinkedHashMap<>(own);
        Map<String, Object> services = new LinkedHashMap<>();
        services.put("auth", Map.of("status", "ok"));
        for (Part p : parts) {
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("status", p.status());
            if (p.error() != null) {
                status.put("error", p.error());
            }
            services.put(p.service(), status);
            if (p.data() != null && p.data().isObject()) {
                p.data().fields().forEachRemaining(e -> {
                    String key = doc.containsKey(e.getKey()) ? p.service().replace('-', '_') + "_" + e.getKey() : e.getKey();
                    doc.put(key, e.getValue());
                });
            }
        }
        doc.put("services", services);
        doc.put("exported_at", java.time.Instant.now().toString());
        return doc;
    }
}
