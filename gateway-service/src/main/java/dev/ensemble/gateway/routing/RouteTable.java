package dev.ensemble.gateway.routing;

import dev.ensemble.gateway.config.GatewayConfig;
import dev.ensemble.gateway.proxy.Upstream;
import dev.ensemble.gateway.proxy.Upstreams;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ensemble.gateway.routing.RouteRule.to;
import static dev.ensemble.gateway.routing.RouteRule.upload;
import static dev.ensemble.gateway.routing.Services.*;

/**
 * Which service owns which path prefix. The built-in table below is the canonical API of
 * {@code docs/api-map}; configuration adds prefixes or overrides them (seed dialects, tests).
 * The longest matching prefix wins, so {@code /api/v1/models/upload} beats {@code /api/v1/models}.
 */
@Singleton
public class RouteTable {

    private static final Logger LOG = Logger.getLogger(RouteTable.class);

    /** The canonical routes. */
    public static final List<RouteRule> DEFAULTS = List.of(
            to("/api/v1/auth", AUTH),
            to("/api/v1/user", AUTH),
            to("/.well-known/jwks.json", AUTH),

            to("/api/v1/billing", BILLING),
            to("/api/v1/guardrails", BILLING),

            to("/api/v1/models", INFERENCE),
            upload("/api/v1/models/upload", INFERENCE),
            to("/api/v1/quota", INFERENCE),
            to("/api/v1/llm", INFERENCE),
            to("/api/v1/chat", INFERENCE),
            to("/api/v1/vision", INFERENCE),
            to("/api/v1/nlp", INFERENCE),
            to("/v1", INFERENCE),
            to("/v2", INFERENCE),

            to("/api/v1/jobs", JOB),
            to("/api/v1/agents", JOB),
            to("/api/v1/executions", JOB),
            upload("/api/v1/datasets", JOB),

            to("/api/v1/gpu", GPU_BROKER),
            to("/api/v1/loadbalancer", GPU_BROKER));

    /** A resolved route: the rule plus what the proxy needs on the hot path. */
    public record Route(String prefix, Upstream upstream, long maxBodySize, long timeoutMillis, boolean upload) {
    }

    private Route[] routes = new Route[0];

    @Inject
    GatewayConfig config;

    @Inject
    Upstreams upstreams;

    @jakarta.annotation.PostConstruct
    void build() {
        Map<String, RouteRule> rules = new LinkedHashMap<>();
        DEFAULTS.forEach(r -> rules.put(r.prefix(), r));
        config.routes().forEach((prefix, o) -> {
            String p = normalizePrefix(prefix);
            RouteRule base = rules.get(p);
            String service = o.service().orElse(base == null ? null : base.service());
            if (service == null) {
                throw new IllegalArgumentException("route " + p + " names no service (ensemble.gateway.routes.\""
                        + prefix + "\".service)");
            }
            boolean isUpload = o.upload().orElse(base != null && base.upload());
            rules.put(p, new RouteRule(p, service, isUpload));
        });
        List<Route> resolved = new ArrayList<>();
        for (RouteRule rule : rules.values()) {
            Upstream upstream = upstreams.byName(rule.service());
            if (upstream == null) {
                throw new IllegalArgumentException("route " + rule.prefix() + " goes to unknown service "
                        + rule.service() + "; configure ensemble.gateway.services." + rule.service() + ".url");
            }
            long timeout = config.routes().entrySet().stream()
                    .filter(e -> normalizePrefix(e.getKey()).equals(rule.prefix()))
                    .findFirst().flatMap(e -> e.getValue().timeout())
                    .orElse(config.timeout()).toMillis();
            long max = (rule.upload() ? config.maxUploadSize() : config.maxBodySize()).asLongValue();
            resolved.add(new Route(rule.prefix(), upstream, max, timeout, rule.upload()));
        }
        resolved.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
        routes = resolved.toArray(new Route[0]);
        LOG.debugf("route table: %s", resolved);
    }

    /** The route owning {@code path} (already normalized), or null when no service owns it. */
    public Route match(String path) {
        for (Route route : routes) {
            String prefix = route.prefix;
            if (path.startsWith(prefix)
                    && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return route;
            }
        }
        return null;
    }

    /** The resolved table, longest prefix first. */
    public List<Route> routes() {
        return List.of(routes);
    }

    private static String normalizePrefix(String prefix) {
        String p = prefix.startsWith("/") ? prefix : "/" + prefix;
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
