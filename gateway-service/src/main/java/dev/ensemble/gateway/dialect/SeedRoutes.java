package dev.ensemble.gateway.dialect;

import dev.ensemble.gateway.config.GatewayConfig;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed dialects as ONE table: each seed prefix is rewritten to a canonical prefix, and the
 * request goes on with {@code X-Ensemble-Dialect} naming the seed; the service is then the one
 * the route table gives the canonical path. {@code /api/v1} is AIServe.Farm's own prefix (no
 * rewrite). Configuration adds or overrides prefixes ({@code ensemble.gateway.dialects}).
 * Longest prefix wins, on segment boundaries.
 */
@Singleton
public class SeedRoutes {

    /** One line of the table. */
    public record SeedRoute(String prefix, String canonical, Dialect dialect) {
    }

    /** The rewrites every service relies on (helper brief, "Seed dialects"). */
    public static final List<SeedRoute> DEFAULTS = List.of(
            new SeedRoute("/api/v2/ai/llm", "/api/v1/llm", Dialect.AISEMBLE),
            new SeedRoute("/api/v2/ai/vision", "/api/v1/vision", Dialect.AISEMBLE),
            new SeedRoute("/api/v2/ai/nlp", "/api/v1/nlp", Dialect.AISEMBLE),
            new SeedRoute("/api/v2/models", "/api/v1/models", Dialect.AISEMBLE),
            new SeedRoute("/api/v2/jobs", "/api/v1/jobs", Dialect.AISEMBLE),
            new SeedRoute("/api/v2/auth", "/api/v1/auth", Dialect.AISEMBLE),
            new SeedRoute("/api/auth", "/api/v1/auth", Dialect.AIMOS),
            new SeedRoute("/api/agents", "/api/v1/agents", Dialect.AIMOS),
            new SeedRoute("/api/execute", "/api/v1/executions", Dialect.AIMOS),
            new SeedRoute("/api/executions", "/api/v1/executions", Dialect.AIMOS),
            new SeedRoute("/jobs", "/api/v1/jobs", Dialect.JOBQUEUE),
            new SeedRoute("/chat", "/api/v1/chat", Dialect.ORCHESTRA),
            new SeedRoute("/api/v1", "/api/v1", Dialect.AISERVE),
            // The OpenAI API: no rewrite; the gateway's own errors in OpenAI's shape.
            new SeedRoute("/v1", "/v1", Dialect.OPENAI),
            // Catch-alls without a rewrite: the rest of each seed's base path answers in its shape (a 404 included).
            new SeedRoute("/api/v2", "/api/v2", Dialect.AISEMBLE),
            new SeedRoute("/api", "/api", Dialect.AIMOS));

    /** A path after the table: the canonical path and the dialect (null when no seed prefix matched). */
    public record Resolved(String path, Dialect dialect) {
    }

    @Inject
    GatewayConfig config;

    private SeedRoute[] table = new SeedRoute[0];

    @PostConstruct
    void build() {
        Map<String, SeedRoute> routes = new LinkedHashMap<>();
        DEFAULTS.forEach(r -> routes.put(r.prefix(), r));
        config.dialects().forEach((prefix, r) -> {
            Dialect d = Dialect.named(r.dialect());
            if (d == null) {
                throw new IllegalArgumentException("ensemble.gateway.dialects.\"" + prefix + "\".dialect: unknown dialect "
                        + r.dialect());
            }
            routes.put(trim(prefix), new SeedRoute(trim(prefix), trim(r.canonical()), d));
        });
        List<SeedRoute> sorted = new ArrayList<>(routes.values());
        sorted.sort(Comparator.comparingInt((SeedRoute r) -> r.prefix().length()).reversed());
        table = sorted.toArray(new SeedRoute[0]);
    }

    /** The seed route owning {@code path}, or null. */
    public SeedRoute match(String path) {
        for (SeedRoute r : table) {
            String p = r.prefix;
            if (path.startsWith(p) && (path.length() == p.length() || path.charAt(p.length()) == '/')) {
                return r;
            }
        }
        return null;
    }

    /** The canonical path of {@code path} under {@code route} (null: none). */
    public static String rewrite(SeedRoute route, String path) {
        if (route == null || route.prefix.equals(route.canonical)) {
            return path;
        }
        return route.canonical + path.substring(route.prefix.length());
    }

    /** The dialect a path speaks, or null (OpenAI, OIP, the gateway's own paths). */
    public Dialect dialectOf(String path) {
        SeedRoute r = match(path);
        return r == null ? null : r.dialect();
    }

    public List<SeedRoute> table() {
        return List.of(table);
    }

    private static String trim(String prefix) {
        String p = prefix.startsWith("/") ? prefix : "/" + prefix;
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
