package dev.ensemble.gateway.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** gateway-service settings: where the services are, and how the proxy treats each route. */
@ConfigMapping(prefix = "ensemble.gateway")
public interface GatewayConfig {

    /** The services the gateway routes to, by name ({@code auth}, {@code inference}, {@code job}, ...). */
    Map<String, Service> services();

    /**
     * Routes added to, or overriding, the built-in table ({@link dev.ensemble.gateway.routing.RouteTable}),
     * keyed by path prefix: {@code ensemble.gateway.routes."/api/v2/jobs".service=job}.
     */
    Map<String, RouteOverride> routes();

    /** Largest request body on an ordinary (JSON) route. */
    @WithDefault("10M")
    @WithConverter(MemorySizeConverter.class)
    MemorySize maxBodySize();

    /** Largest request body on an upload route (model upload, data sets). */
    @WithDefault("2G")
    @WithConverter(MemorySizeConverter.class)
    MemorySize maxUploadSize();

    /**
     * How long the upstream may stay silent: from the end of the request body to the response
     * head, and between two chunks of the response body.
     */
    @WithDefault("30s")
    Duration timeout();

    /** How long to wait for a connection to an upstream (pool wait included). */
    @WithDefault("3s")
    Duration connectTimeout();

    /** Keep-alive connections per upstream and event loop (each event loop keeps its own pool). */
    @WithDefault("128")
    int maxConnections();

    /**
     * WebSocket sessions relayed to one service at once: each holds its own connection for its
     * whole life, so this is a separate, much larger bound than {@link #maxConnections()}.
     */
    @WithDefault("10000")
    int maxWebsockets();

    /** Requests that may wait for a connection per upstream and event loop before the gateway answers 503. */
    @WithDefault("1024")
    int maxWaitQueue();

    /** How long an idle keep-alive connection to an upstream is kept. */
    @WithDefault("60s")
    Duration keepAlive();

    Health health();

    Auth auth();

    @io.smallrye.config.WithName("rate-limit")
    RateLimit rateLimit();

    Cors cors();

    SecurityHeaders securityHeaders();

    /**
     * Seed prefixes added to, or overriding, the built-in dialect table
     * ({@link dev.ensemble.gateway.dialect.SeedRoutes}): {@code ensemble.gateway.dialects."/api/v2/foo".canonical=/api/v1/foo}.
     */
    Map<String, SeedRoute> dialects();

    /** A seed prefix: the canonical prefix it is rewritten to and the dialect it speaks. */
    interface SeedRoute {
        String canonical();

        String dialect();
    }

    /** Who may pass the edge: JWTs verified against auth-service's JWKS, or API keys resolved by auth-service. */
    interface Auth {
        /**
         * Off only for tests of the bare proxy: then the gateway forwards every request as it came
         * (the services still verify tokens themselves). A warning is logged at start-up.
         */
        @WithDefault("true")
        boolean enabled();

        /** Where the public keys are; by default auth-service's {@code /.well-known/jwks.json}. */
        Optional<String> jwksUrl();

        /** The {@code iss} every token must carry. */
        @WithDefault("https://ensemble.local/auth")
        String issuer();

        /** How often the JWKS is fetched again even when every kid is known (drops retired keys). */
        @WithDefault("5m")
        Duration jwksRefresh();

        /** The least time between two fetches caused by unknown kids (a flood of forged kids costs one fetch). */
        @WithDefault("10s")
        Duration jwksMinRefresh();

        /** Tolerance for exp and nbf. */
        @WithDefault("30s")
        Duration clockSkew();

        /** How long a resolved API key is reused: a revoked key stops working within this time. */
        @WithDefault("5s")
        Duration apiKeyCacheTtl();

        /** How long an unknown, revoked or expired API key is remembered as such. */
        @WithDefault("2s")
        Duration apiKeyNegativeTtl();

        /** Where API keys are resolved; by default auth-service's {@code /internal/v1/api-keys/resolve}. */
        Optional<String> resolveUrl();

        /** How long auth-service may take to resolve an API key. */
        @WithDefault("2s")
        Duration resolveTimeout();

        /** The shared secret of the internal endpoints ({@code ENSEMBLE_INTERNAL_TOKEN}). */
        Optional<String> internalToken();

        /**
         * Canonical path prefixes anyone may call (matched after the seed rewrite, on segment
         * boundaries): health, metrics, JWKS, register/login/refresh/logout, the seeds' public endpoints.
         */
        List<String> publicPaths();
    }

    /** The one limiter: per-plan policies keyed by user (JWT) or API key. */
    interface RateLimit {
        @WithDefault("true")
        boolean enabled();

        /** Redis holding the counters shared by every gateway replica; in-process counters when absent. */
        Optional<String> redisUrl();

        /** The policy of a token without a {@code plan} claim or with an unknown plan. */
        @WithDefault("free")
        String defaultPlan();

        /** The policy of admins (role {@code admin}), whatever their plan. */
        @WithDefault("admin")
        String adminPlan();

        /** Policies by plan name ({@code free}, {@code pro}, {@code enterprise}, {@code admin}). */
        Map<String, Plan> plans();
    }

    /** One plan: {@code limit} requests per {@code window}, and a per-minute rate with a burst allowance. */
    interface Plan {
        /** Requests per window (the seeds' tiers: free 100/h, pro 1,000/h, enterprise 10,000/h). */
        int limit();

        @WithDefault("1h")
        Duration window();

        /** The sustained rate per minute (a token bucket refilled continuously). */
        int perMinute();

        /** How many requests may arrive at once (the bucket's size). */
        int burst();
    }

    /** Cross-origin requests from browsers; off unless origins are configured. */
    interface Cors {
        /** Allowed origins ({@code https://app.example.com}), or {@code *} for any. */
        Optional<List<String>> origins();

        @WithDefault("GET,POST,PUT,PATCH,DELETE,OPTIONS,HEAD")
        String methods();

        @WithDefault("Authorization,Content-Type,Accept,X-API-Key,X-Request-Id,X-Preferred-Payment,X-Billing")
        String headers();

        @WithDefault("X-Request-Id,X-RateLimit-Limit,X-RateLimit-Remaining,X-RateLimit-Reset,Retry-After")
        String exposedHeaders();

        @WithDefault("false")
        boolean allowCredentials();

        @WithDefault("10m")
        Duration maxAge();
    }

    /** Headers on every answer. */
    interface SecurityHeaders {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("DENY")
        String frameOptions();

        @WithDefault("no-referrer")
        String referrerPolicy();

        /** Strict-Transport-Security max-age; sent only when set (the gateway behind TLS). */
        Optional<Duration> hstsMaxAge();
    }

    /** One upstream service. */
    interface Service {
        /** Base URL, e.g. {@code http://127.0.0.1:8081}. */
        String url();
    }

    /** What a configured route changes; anything left out keeps the built-in value. */
    interface RouteOverride {
        /** The service this prefix goes to. */
        Optional<String> service();

        /** Marks the route as an upload route (large bodies). */
        Optional<Boolean> upload();

        /** The upstream timeout on this route. */
        Optional<Duration> timeout();
    }

    /** The aggregated {@code /health}. */
    interface Health {
        /** How long each service's readiness probe may take. */
        @WithDefault("2s")
        Duration timeout();

        /** How long one aggregated answer is reused, so a burst of health checks costs one round. */
        @WithDefault("1s")
        Duration cacheTtl();
    }
}
