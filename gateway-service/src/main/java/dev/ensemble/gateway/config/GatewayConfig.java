package dev.ensemble.gateway.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.time.Duration;
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

    /** Requests that may wait for a connection per upstream and event loop before the gateway answers 503. */
    @WithDefault("1024")
    int maxWaitQueue();

    /** How long an idle keep-alive connection to an upstream is kept. */
    @WithDefault("60s")
    Duration keepAlive();

    Health health();

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
