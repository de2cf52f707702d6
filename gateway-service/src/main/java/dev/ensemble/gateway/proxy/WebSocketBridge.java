package dev.ensemble.gateway.proxy;

import dev.ensemble.gateway.routing.RouteTable;
import dev.ensemble.web.ErrorCode;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * A WebSocket upgrade on a proxied route: the gateway opens the same WebSocket to the service
 * first (so the service's refusal, a 401 or 404, reaches the client as it was), then accepts the
 * client's and relays frames both ways with backpressure until either side closes.
 */
final class WebSocketBridge {

    private static final Logger LOG = Logger.getLogger(WebSocketBridge.class);

    private WebSocketBridge() {
    }

    static boolean isUpgrade(HttpServerRequest request) {
        return request.method() == HttpMethod.GET
                && request.headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true);
    }

    static void start(ProxyHandler proxy, WebSocketClient client, RoutingContext ctx, RouteTable.Route route,
                      String uri) {
        HttpServerRequest request = ctx.request();
        request.pause();
        Upstream upstream = route.upstream();
        upstream.started();
        long start = System.nanoTime();
        String requestId = Exchange.requestId(request);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(upstream.host())
                .setPort(upstream.port())
                .setSsl(upstream.ssl())
                .setURI(uri)
                .setConnectTimeout(proxy.connectTimeoutMillis)
                .setTimeout(route.timeoutMillis());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        request.headers().forEach(e -> {
            String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
            if (!name.startsWith("sec-websocket-")) {
                headers.add(e.getKey(), e.getValue());
            }
        });
        ProxyHeaders.cleanRequest(headers);
        headers.set(ProxyHeaders.X_REQUEST_ID, requestId);
        String forwardedFor = request.getHeader(ProxyHeaders.X_FORWARDED_FOR);
        String remote = Exchange.remoteAddress(request);
        headers.set(ProxyHeaders.X_FORWARDED_FOR, forwardedFor == null ? remote : forwardedFor + ", " + remote);
        headers.set(ProxyHeaders.X_FORWARDED_PROTO, request.isSSL() ? "https" : "http");
        String host = request.getHeader(HttpHeaders.HOST);
        if (host != null) {
            headers.set(ProxyHeaders.X_FORWARDED_HOST, host);
        }
        options.setHeaders(headers);
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            List<String> list = new ArrayList<>();
            for (String p : protocols.split(",")) {
                if (!p.isBlank()) {
                    list.add(p.trim());
                }
            }
            options.setSubProtocols(list);
        }
        client.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                Throwable cause = ar.cause();
                if (cause instanceof UpgradeRejectedException rejected) {
                    // The service said no (authentication, unknown path): pass its answer on as it is.
                    var response = ctx.response().setStatusCode(rejected.getStatus());
                    if (rejected.getHeaders() != null) {
                        response.headers().addAll(rejected.getHeaders());
                        ProxyHeaders.cleanResponse(response.headers());
                    }
                    response.headers().set(ProxyHeaders.X_REQUEST_ID, requestId);
                    response.end(rejected.getBody() == null ? io.vertx.core.buffer.Buffer.buffer() : rejected.getBody());
                    upstream.finished(rejected.getStatus(), System.nanoTime() - start);
                } else {
                    LOG.debugf("websocket to %s failed: %s", upstream.name(), cause);
                    upstream.failed("connect");
                    boolean timeout = cause instanceof java.util.concurrent.TimeoutException;
                    int status = timeout ? 504 : 503;
                    proxy.problems.write(ctx.response(), status,
                            timeout ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.SERVICE_UNAVAILABLE,
                            "service " + upstream.name() + (timeout ? " did not accept the WebSocket in time"
                                    : " is unavailable"), request.path(), requestId);
                    upstream.finished(status, System.nanoTime() - start);
                }
                request.resume();
                return;
            }
            WebSocket toService = ar.result();
            // Hold what the service sends until the client's side is open and relaying.
            toService.pause();
            request.toWebSocket().onComplete(accepted -> {
                if (accepted.failed()) {
                    toService.close();
                    upstream.finished(0, System.nanoTime() - start);
                    return;
                }
                ServerWebSocket toClient = accepted.result();
                relay(toClient, toService);
                relay(toService, toClient);
                boolean[] done = {false};
                toClient.closeHandler(v -> {
                    closeWith(toService, toClient);
                    finish(done, upstream, start);
                });
                toService.closeHandler(v -> {
                    closeWith(toClient, toService);
                    finish(done, upstream, start);
                });
                toClient.exceptionHandler(e -> toService.close());
                toService.exceptionHandler(e -> toClient.close());
                toService.resume();
            });
        });
    }

    private static void relay(WebSocketBase from, WebSocketBase to) {
        from.frameHandler(frame -> {
            if (to.isClosed()) {
                // The other side went away (its close handler closes this one); frames still in
                // flight have nowhere to go.
                return;
            }
            to.writeFrame(frame);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
    }

    /** Closes {@code other} the way {@code closed} was closed (status code and reason). */
    private static void closeWith(WebSocketBase other, WebSocketBase closed) {
        if (other.isClosed()) {
            return;
        }
        Short code = closed.closeStatusCode();
        if (code == null || code == 1005 || code == 1006 || code == 1015) {
            other.close();
        } else {
            other.close(code, closed.closeReason());
        }
    }

    private static void finish(boolean[] done, Upstream upstream, long start) {
        if (!done[0]) {
            done[0] = true;
            upstream.finished(101, System.nanoTime() - start);
        }
    }
}
