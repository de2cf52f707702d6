package dev.ensemble.gateway.proxy;

import dev.ensemble.gateway.config.GatewayConfig;
import dev.ensemble.gateway.routing.RouteTable;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;

/**
 * The proxy's entry point on the Vert.x router: a request whose path a service owns is streamed
 * to that service ({@link Exchange}); any other request goes on to the gateway's own endpoints.
 */
@Singleton
public class ProxyHandler implements Handler<RoutingContext> {

    @Inject
    RouteTable routes;

    @Inject
    ProblemResponses problems;

    @Inject
    GatewayConfig config;

    @Inject
    Vertx vertx;

    @Inject
    Upstreams upstreams;

    long connectTimeoutMillis;

    @jakarta.annotation.PostConstruct
    void init() {
        connectTimeoutMillis = config.connectTimeout().toMillis();
    }

    @Override
    public void handle(RoutingContext ctx) {
        RouteTable.Route route = routes.match(ctx.normalizedPath());
        if (route == null) {
            ctx.next();
            return;
        }
        if (WebSocketBridge.isUpgrade(ctx.request())) {
            WebSocketBridge.start(this, upstreams.webSockets(), ctx, route, Exchange.upstreamUri(ctx, route.upstream()));
            return;
        }
        new Exchange(this, ctx, route).start();
    }
}
