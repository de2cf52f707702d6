package dev.ensemble.gateway.proxy;

import dev.ensemble.gateway.auth.ApiKeyResolver;
import dev.ensemble.gateway.auth.AuthFailure;
import dev.ensemble.gateway.auth.JwtVerifier;
import dev.ensemble.gateway.auth.Principal;
import dev.ensemble.gateway.auth.PublicPaths;
import dev.ensemble.gateway.config.GatewayConfig;
import dev.ensemble.gateway.dialect.Dialect;
import dev.ensemble.gateway.dialect.ErrorBodies;
import dev.ensemble.gateway.dialect.SeedRoutes;
import dev.ensemble.gateway.edge.EdgeHeaders;
import dev.ensemble.gateway.ratelimit.Decision;
import dev.ensemble.gateway.ratelimit.RateLimits;
import dev.ensemble.gateway.routing.RouteTable;
import dev.ensemble.web.ErrorCode;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The edge's entry point on the Vert.x router. For every request: security and CORS headers
 * (preflights answered here); {@code /internal/...} refused; the seed table rewrites the path and
 * names the dialect; then, on a route a service owns and that is not public, the caller is
 * authenticated (JWT verified here, or API key resolved through auth-service) and counted by
 * the rate limiter, and the request is streamed to the service ({@link Exchange}) carrying a JWT
 * and {@code X-Ensemble-Dialect}. Anything else goes on to the gateway's own endpoints. The
 * common case (a cached token, the in-process limiter) completes without leaving the event loop
 * or allocating a future chain.
 */
@Singleton
public class ProxyHandler implements Handler<RoutingContext> {

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class);

    static final CharSequence X_ENSEMBLE_DIALECT = HttpHeaders.createOptimized("X-Ensemble-Dialect");
    static final CharSequence X_API_KEY = HttpHeaders.createOptimized("X-API-Key");
    static final CharSequence X_INTERNAL_TOKEN = HttpHeaders.createOptimized("X-Internal-Token");
    static final CharSequence X_RATELIMIT_LIMIT = HttpHeaders.createOptimized("X-RateLimit-Limit");
    static final CharSequence X_RATELIMIT_REMAINING = HttpHeaders.createOptimized("X-RateLimit-Remaining");
    static final CharSequence X_RATELIMIT_RESET = HttpHeaders.createOptimized("X-RateLimit-Reset");
    static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
    static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
    private static final CharSequence[] DIALECT_VALUES = new CharSequence[Dialect.values().length];

    static {
        for (Dialect d : Dialect.values()) {
            DIALECT_VALUES[d.ordinal()] = HttpHeaders.createOptimized(d.header());
        }
    }

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

    @Inject
    SeedRoutes seeds;

    @Inject
    PublicPaths publicPaths;

    @Inject
    JwtVerifier jwts;

    @Inject
    ApiKeyResolver apiKeys;

    @Inject
    RateLimits limits;

    @Inject
    EdgeHeaders edge;

    @Inject
    ErrorBodies errors;

    long connectTimeoutMillis;
    private boolean authEnabled;

    @jakarta.annotation.PostConstruct
    void init() {
        connectTimeoutMillis = config.connectTimeout().toMillis();
        authEnabled = config.auth().enabled();
        if (!authEnabled) {
            LOG.warn("ensemble.gateway.auth.enabled=false: the gateway forwards requests without authenticating them");
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        // A WebSocket upgrade gets no extra headers: the 101 is written by the handshake, which refuses a touched response.
        if (!WebSocketBridge.isUpgrade(request)) {
            edge.apply(request, response);
        }
        if (edge.isPreflight(request)) {
            edge.preflight(request, response);
            return;
        }
        String path = ctx.normalizedPath();
        if (path.startsWith("/internal/") || path.equals("/internal")) {
            problems.write(response, null, 404, ErrorCode.NOT_FOUND, "no resource at " + path, path,
                    Exchange.requestId(request));
            return;
        }
        SeedRoutes.SeedRoute seed = seeds.match(path);
        String canonical = SeedRoutes.rewrite(seed, path);
        Dialect dialect = seed == null ? null : seed.dialect();
        RouteTable.Route route = routes.match(canonical);
        if (route == null) {
            ctx.next();
            return;
        }
        MultiMap headers = request.headers();
        headers.remove(X_ENSEMBLE_DIALECT);
        headers.remove(X_INTERNAL_TOKEN);
        if (dialect != null) {
            headers.set(X_ENSEMBLE_DIALECT, DIALECT_VALUES[dialect.ordinal()]);
        }
        if (!authEnabled || publicPaths.isPublic(canonical)) {
            headers.remove(X_API_KEY);
            forward(ctx, route, canonical, dialect);
            return;
        }
        String jwt = null;
        String apiKey = headers.get(X_API_KEY);
        String authorization = headers.get(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.length() > 7 && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            if (token.startsWith("ak_")) {
                apiKey = token;
            } else {
                jwt = token;
            }
        }
        if (jwt == null && apiKey == null && WebSocketBridge.isUpgrade(request)) {
            // Browsers cannot set headers on a WebSocket: the credential may come as a query parameter.
            jwt = request.getParam("access_token");
            apiKey = jwt == null ? request.getParam("api_key") : null;
            if (jwt != null) {
                // The service sees the credential where it looks first, as for any other request.
                headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + jwt);
            }
        }
        if (jwt == null && (apiKey == null || apiKey.isBlank())) {
            response.putHeader(WWW_AUTHENTICATE, "Bearer");
            problems.write(response, dialect, 401, ErrorCode.AUTH_REQUIRED,
                    "authentication required: send Authorization: Bearer <token> or X-API-Key", path,
                    Exchange.requestId(request));
            return;
        }
        headers.remove(X_API_KEY);
        Future<Principal> who = jwt != null ? jwts.verify(jwt) : apiKeys.resolve(apiKey.trim());
        if (who.isComplete()) {
            authenticated(ctx, route, canonical, dialect, who);
            return;
        }
        request.pause();
        Context context = vertx.getOrCreateContext();
        who.onComplete(ar -> onContext(context, () -> authenticated(ctx, route, canonical, dialect, ar)));
    }

    private void authenticated(RoutingContext ctx, RouteTable.Route route, String canonical, Dialect dialect,
                               AsyncResult<Principal> ar) {
        HttpServerRequest request = ctx.request();
        if (ar.failed()) {
            AuthFailure f = ar.cause() instanceof AuthFailure a ? a
                    : new AuthFailure(401, ErrorCode.INVALID_TOKEN, "credential is invalid");
            if (f.status == 401) {
                ctx.response().putHeader(WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
            }
            failBeforeProxy(ctx, dialect, f.status, f.code, f.getMessage(), 0);
            return;
        }
        Principal principal = ar.result();
        if (principal.forwardToken() != null) {
            request.headers().set(HttpHeaders.AUTHORIZATION, "Bearer " + principal.forwardToken());
        }
        if (!limits.enabled()) {
            forward(ctx, route, canonical, dialect);
            return;
        }
        Future<Decision> decision = limits.acquire(principal);
        if (decision.isComplete()) {
            limited(ctx, route, canonical, dialect, decision.result());
            return;
        }
        request.pause();
        Context context = vertx.getOrCreateContext();
        decision.onComplete(d -> onContext(context, () -> limited(ctx, route, canonical, dialect,
                d.succeeded() ? d.result() : Decision.UNKNOWN)));
    }

    private void limited(RoutingContext ctx, RouteTable.Route route, String canonical, Dialect dialect, Decision d) {
        if (d.known()) {
            MultiMap h = ctx.response().headers();
            h.set(X_RATELIMIT_LIMIT, Long.toString(d.limit()));
            h.set(X_RATELIMIT_REMAINING, Long.toString(d.remaining()));
            h.set(X_RATELIMIT_RESET, Long.toString(d.resetEpochSeconds()));
        }
        if (!d.allowed()) {
            ctx.response().putHeader(RETRY_AFTER, Long.toString(d.retryAfterSeconds()));
            failBeforeProxy(ctx, dialect, 429, ErrorCode.RATE_LIMITED,
                    "rate limit exceeded; retry in " + d.retryAfterSeconds() + " s", d.retryAfterSeconds());
            return;
        }
        forward(ctx, route, canonical, dialect);
    }

    private void forward(RoutingContext ctx, RouteTable.Route route, String canonical, Dialect dialect) {
        String uri = Exchange.upstreamUri(ctx, route.upstream(), canonical);
        if (WebSocketBridge.isUpgrade(ctx.request())) {
            WebSocketBridge.start(this, upstreams.webSockets(), ctx, route, uri);
            return;
        }
        new Exchange(this, ctx, route, uri, dialect).start();
    }

    /**
     * An answer before any service was asked. A request with a body is answered and its
     * connection closed after the answer (the body is not read), as for a 413.
     */
    private void failBeforeProxy(RoutingContext ctx, Dialect dialect, int status, String code, String message,
                                 long retryAfter) {
        HttpServerRequest request = ctx.request();
        boolean body = request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                ? !"0".equals(request.getHeader(HttpHeaders.CONTENT_LENGTH))
                : request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        if (body && !request.isEnded()) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        Future<Void> sent = problems.write(ctx.response(), dialect, new dev.ensemble.gateway.dialect.ErrorInfo(status,
                code, message, null, null, Exchange.requestId(request), retryAfter), request.path());
        if (body && !request.isEnded()) {
            sent.onComplete(v -> request.connection().close());
        }
        request.resume();
    }

    private static void onContext(Context context, Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }
}
