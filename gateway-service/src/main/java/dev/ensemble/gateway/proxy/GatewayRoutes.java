package dev.ensemble.gateway.proxy;

import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.RequestIds;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Puts the proxy on the HTTP router ahead of the gateway's own endpoints, and answers what no
 * one serves with a problem+json 404.
 */
@ApplicationScoped
public class GatewayRoutes {

    /**
     * After Quarkus' CORS filter (order -300, not enabled: the edge answers CORS itself) and before
     * its authentication filter (-200) and its body-size check (-2): the proxy authenticates and
     * limits proxied requests itself and applies its own per-route body limits while streaming.
     */
    static final int PROXY_ORDER = -250;

    @Inject
    ProxyHandler proxy;

    @Inject
    ProblemResponses problems;

    @Inject
    dev.ensemble.gateway.dialect.SeedRoutes seeds;

    void install(@Observes Router router) {
        router.route().order(PROXY_ORDER).handler(proxy);
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            String id = RequestIds.resolve(ctx.request().getHeader(RequestIds.HEADER));
            problems.write(ctx.response(), seeds.dialectOf(ctx.normalizedPath()), 404, ErrorCode.NOT_FOUND, "no resource at " + ctx.request().path(),
                    ctx.request().path(), id);
        });
    }
}
