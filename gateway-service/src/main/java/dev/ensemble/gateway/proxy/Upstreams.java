package dev.ensemble.gateway.proxy;

import dev.ensemble.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The configured services, each with its own pools of keep-alive HTTP/1.1 connections (one per event loop). */
@Singleton
public class Upstreams {

    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    MeterRegistry registry;

    private final Map<String, Upstream> byName = new LinkedHashMap<>();
    private WebSocketClient webSockets;

    @PostConstruct
    void start() {
        config.services().forEach((name, service) -> {
            HttpClientOptions options = new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_1_1)
                    .setKeepAlive(true)
                    .setKeepAliveTimeout((int) Math.max(1, config.keepAlive().toSeconds()))
                    .setPipelining(false)
                    .setTcpNoDelay(true)
                    .setDecompressionSupported(false)
                    .setTryUseCompression(false)
                    .setConnectTimeout((int) config.connectTimeout().toMillis())
                    .setName("gateway-" + name);
            PoolOptions pool = new PoolOptions()
                    .setHttp1MaxSize(config.maxConnections())
                    .setMaxWaitQueueSize(config.maxWaitQueue());
            byName.put(name, new Upstream(name, service.url(), () -> vertx.createHttpClient(options, pool), registry));
        });
        webSockets = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(config.maxWebsockets())
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setName("gateway-websockets"));
    }

    /** The client for WebSockets relayed to services. */
    WebSocketClient webSockets() {
        return webSockets;
    }

    void stop(@Observes ShutdownEvent event) {
        byName.values().forEach(Upstream::close);
        webSockets.close();
    }

    /** The service with this name, or null. */
    public Upstream byName(String name) {
        return byName.get(name);
    }

    public Collection<Upstream> all() {
        return Collections.unmodifiableCollection(byName.values());
    }
}
