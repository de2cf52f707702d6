package dev.ensemble.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * The headers a proxy must not pass on (RFC 9110 section 7.6.1: connection-specific fields, and
 * any field the {@code Connection} header names), and the forwarding headers the gateway sets.
 * Names are pre-built {@code AsciiString}s so the lookups on the hot path allocate nothing.
 */
final class ProxyHeaders {

    static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
    static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
    static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("X-Forwarded-Proto");
    static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("X-Forwarded-Host");

    private static final CharSequence PROXY_CONNECTION = HttpHeaders.createOptimized("Proxy-Connection");
    private static final CharSequence PROXY_AUTHENTICATE = HttpHeaders.createOptimized("Proxy-Authenticate");
    private static final CharSequence PROXY_AUTHORIZATION = HttpHeaders.createOptimized("Proxy-Authorization");
    private static final CharSequence TE = HttpHeaders.createOptimized("TE");
    private static final CharSequence TRAILER = HttpHeaders.createOptimized("Trailer");

    private ProxyHeaders() {
    }

    /** Removes what must not travel from the client to a service; the gateway sets its own in their place. */
    static void cleanRequest(MultiMap headers) {
        removeConnectionSpecific(headers);
        headers.remove(HttpHeaders.HOST);
        headers.remove(HttpHeaders.EXPECT);
        headers.remove(PROXY_AUTHORIZATION);
        headers.remove(X_REQUEST_ID);
        headers.remove(X_FORWARDED_PROTO);
        headers.remove(X_FORWARDED_HOST);
    }

    /** Removes what must not travel from a service back to the client. */
    static void cleanResponse(MultiMap headers) {
        removeConnectionSpecific(headers);
        headers.remove(PROXY_AUTHENTICATE);
    }

    private static void removeConnectionSpecific(MultiMap headers) {
        String connection = headers.get(HttpHeaders.CONNECTION);
        if (connection != null) {
            if (!"keep-alive".equalsIgnoreCase(connection) && !"close".equalsIgnoreCase(connection)) {
                for (String token : connection.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty()) {
                        headers.remove(name);
                    }
                }
            }
            headers.remove(HttpHeaders.CONNECTION);
        }
        headers.remove(HttpHeaders.KEEP_ALIVE);
        headers.remove(PROXY_CONNECTION);
        headers.remove(HttpHeaders.TRANSFER_ENCODING);
        headers.remove(HttpHeaders.UPGRADE);
        headers.remove(TE);
        headers.remove(TRAILER);
    }
}
