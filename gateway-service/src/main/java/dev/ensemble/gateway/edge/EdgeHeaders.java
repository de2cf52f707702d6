package dev.ensemble.gateway.edge;

import dev.ensemble.gateway.config.GatewayConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * What the edge adds to every answer: security headers, and CORS for the configured origins
 * (preflights are answered here, never forwarded). Header names and constant values are built
 * once so the hot path only copies references.
 */
@Singleton
public class EdgeHeaders {

    static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
    static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
    static final CharSequence X_FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
    static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
    static final CharSequence HSTS = HttpHeaders.createOptimized("Strict-Transport-Security");
    static final CharSequence CSP = HttpHeaders.createOptimized("Content-Security-Policy");
    static final CharSequence VARY = HttpHeaders.createOptimized("Vary");
    static final CharSequence ORIGIN = HttpHeaders.createOptimized("Origin");

    @Inject
    GatewayConfig config;

    private boolean security;
    private CharSequence frameOptions;
    private CharSequence frameAncestors;
    private CharSequence referrerPolicy;
    private CharSequence hsts;

    private boolean cors;
    private boolean anyOrigin;
    private Set<String> origins;
    private CharSequence methods;
    private CharSequence allowHeaders;
    private CharSequence exposedHeaders;
    private CharSequence maxAge;
    private boolean credentials;

    @PostConstruct
    void init() {
        var s = config.securityHeaders();
        security = s.enabled();
        frameOptions = HttpHeaders.createOptimized(s.frameOptions());
        frameAncestors = HttpHeaders.createOptimized("DENY".equalsIgnoreCase(s.frameOptions())
                ? "frame-ancestors 'none'" : "frame-ancestors 'self'");
        referrerPolicy = HttpHeaders.createOptimized(s.referrerPolicy());
        hsts = s.hstsMaxAge().map(d -> HttpHeaders.createOptimized("max-age=" + d.toSeconds() + "; includeSubDomains"))
                .orElse(null);
        var c = config.cors();
        origins = new HashSet<>();
        c.origins().ifPresent(list -> list.forEach(o -> {
            if (!o.isBlank()) {
                origins.add(o.trim());
            }
        }));
        cors = !origins.isEmpty();
        anyOrigin = origins.contains("*");
        methods = HttpHeaders.createOptimized(c.methods());
        allowHeaders = HttpHeaders.createOptimized(c.headers());
        exposedHeaders = HttpHeaders.createOptimized(c.exposedHeaders());
        maxAge = HttpHeaders.createOptimized(Long.toString(c.maxAge().toSeconds()));
        credentials = c.allowCredentials();
    }

    /** Puts the security and CORS headers on the answer to {@code request}. */
    public void apply(HttpServerRequest request, HttpServerResponse response) {
        MultiMap h = response.headers();
        if (security) {
            h.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
            h.set(X_FRAME_OPTIONS, frameOptions);
            h.set(REFERRER_POLICY, referrerPolicy);
            if (!request.path().startsWith("/q/")) {
                h.set(CSP, frameAncestors);
            }
            if (hsts != null) {
                h.set(HSTS, hsts);
            }
        }
        if (cors) {
            String origin = request.getHeader(ORIGIN);
            if (origin != null && allowed(origin)) {
                h.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin && !credentials ? "*" : origin);
                h.add(VARY, ORIGIN);
                h.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, exposedHeaders);
                if (credentials) {
                    h.set(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                }
            }
        }
    }

    /** Whether {@code request} is a CORS preflight (then {@link #preflight} answers it). */
    public boolean isPreflight(HttpServerRequest request) {
        return request.method() == HttpMethod.OPTIONS && request.headers().contains(ORIGIN)
                && request.headers().contains(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** Answers a preflight: 204 with the allowed methods and headers, or 403 for an origin not allowed. */
    public void preflight(HttpServerRequest request, HttpServerResponse response) {
        String origin = request.getHeader(ORIGIN);
        if (!cors || !allowed(origin)) {
            response.setStatusCode(403).end();
            return;
        }
        response.headers()
                .set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, methods)
                .set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders)
                .set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, maxAge);
        response.setStatusCode(204).end();
    }

    private boolean allowed(String origin) {
        return anyOrigin || origins.contains(origin);
    }

    /** The configured origins (for the README and tests). */
    public Set<String> origins() {
        return Set.copyOf(Arrays.asList(origins.toArray(new String[0])));
    }
}
