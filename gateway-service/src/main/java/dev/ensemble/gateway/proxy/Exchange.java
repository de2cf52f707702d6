package dev.ensemble.gateway.proxy;

import dev.ensemble.gateway.dialect.Dialect;
import dev.ensemble.gateway.dialect.ErrorInfo;
import dev.ensemble.gateway.routing.RouteTable;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.RequestIds;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeoutException;

/**
 * One proxied request: the client's body is streamed to the service as it arrives, and the
 * service's answer is streamed back, each side paused while the other cannot take more
 * (backpressure), so neither body is ever held whole. Runs entirely on the request's event loop.
 */
final class Exchange {

    private static final Logger LOG = Logger.getLogger(Exchange.class);
    /** After a 413, how much more of the body is read (and dropped) so the client sees the answer. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;
    private static final long DRAIN_MILLIS = 5_000;
    /** The most of a service's error body that is read to translate it into a seed's shape. */
    private static final int ERROR_BODY_MAX = 64 * 1024;

    private final ProxyHandler proxy;
    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final RouteTable.Route route;
    private final Upstream upstream;
    private final String requestId;
    private final String uri;
    private final Dialect dialect;
    private final long start = System.nanoTime();

    private HttpClientRequest upstreamRequest;
    private HttpClientResponse upstreamResponse;
    private long received;
    private boolean requestEnded;
    private Future<Void> answered;
    private boolean headersCopied;
    private boolean chunkedToClient;
    private boolean finished;
    private int status;

    Exchange(ProxyHandler proxy, RoutingContext ctx, RouteTable.Route route, String uri, Dialect dialect) {
        this.proxy = proxy;
        this.uri = uri;
        this.dialect = dialect;
        this.ctx = ctx;
        this.request = ctx.request();
        this.response = ctx.response();
        this.route = route;
        this.upstream = route.upstream();
        this.requestId = requestId(request);
    }

    void start() {
        request.pause();
        upstream.started();
        requestEnded = !hasBody();
        long length = contentLength();
        if (length == -2) {
            fail(400, ErrorCode.VALIDATION_ERROR, "Content-Length is not a number", "bad_request");
            closeAfterResponse();
            return;
        }
        if (length > route.maxBodySize()) {
            tooLarge();
            return;
        }
        response.closeHandler(v -> clientGone());
        request.exceptionHandler(e -> clientGone());
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(upstream.host())
                .setPort(upstream.port())
                .setURI(uri)
                .setConnectTimeout(proxy.connectTimeoutMillis);
        if (upstream.ssl()) {
            options.setSsl(true);
        }
        upstream.client().request(options).onComplete(this::connected);
    }

    private void connected(AsyncResult<HttpClientRequest> ar) {
        if (ar.failed()) {
            if (!finished) {
                LOG.debugf("%s unavailable: %s", upstream.name(), ar.cause());
                fail(503, ErrorCode.SERVICE_UNAVAILABLE, "service " + upstream.name() + " is unavailable", "connect");
                if (requestEnded) {
                    request.resume();
                } else {
                    closeAfterResponse();
                }
            }
            return;
        }
        HttpClientRequest up = ar.result();
        if (finished) {
            up.reset();
            return;
        }
        upstreamRequest = up;
        MultiMap headers = up.headers();
        headers.addAll(request.headers());
        ProxyHeaders.cleanRequest(headers);
        headers.set(ProxyHeaders.X_REQUEST_ID, requestId);
        String forwardedFor = request.getHeader(ProxyHeaders.X_FORWARDED_FOR);
        String remote = remoteAddress(request);
        headers.set(ProxyHeaders.X_FORWARDED_FOR, forwardedFor == null ? remote : forwardedFor + ", " + remote);
        headers.set(ProxyHeaders.X_FORWARDED_PROTO, request.scheme() == null ? "http" : request.scheme());
        String host = request.getHeader(HttpHeaders.HOST);
        if (host != null) {
            headers.set(ProxyHeaders.X_FORWARDED_HOST, host);
        }
        up.exceptionHandler(this::upstreamFailed);
        up.response().onComplete(this::responded);

        if (requestEnded) {
            up.end();
            up.idleTimeout(route.timeoutMillis());
            request.endHandler(null);
            request.resume();
            return;
        }
        if (!headers.contains(HttpHeaders.CONTENT_LENGTH)) {
            up.setChunked(true);
        } else if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            // Both framings sent: chunked wins (RFC 9112 section 6.3), so Content-Length must not travel.
            headers.remove(HttpHeaders.CONTENT_LENGTH);
            up.setChunked(true);
        }
        up.drainHandler(v -> {
            if (!finished) {
                request.resume();
            }
        });
        request.handler(this::requestChunk);
        request.endHandler(this::requestEnd);
        if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
            response.writeContinue();
        }
        request.resume();
    }

    private void requestChunk(Buffer chunk) {
        if (finished) {
            return;
        }
        received += chunk.length();
        if (received > route.maxBodySize()) {
            tooLarge();
            return;
        }
        upstreamRequest.write(chunk);
        if (upstreamRequest.writeQueueFull()) {
            request.pause();
        }
    }

    private void requestEnd(Void v) {
        requestEnded = true;
        if (!finished) {
            upstreamRequest.end();
            upstreamRequest.idleTimeout(route.timeoutMillis());
        }
    }

    private void responded(AsyncResult<HttpClientResponse> ar) {
        if (ar.failed()) {
            upstreamFailed(ar.cause());
            return;
        }
        HttpClientResponse up = ar.result();
        if (finished) {
            upstreamRequest.reset();
            return;
        }
        upstreamResponse = up;
        status = up.statusCode();
        if (status >= 400 && dialect != null && dialect.translatesUpstreamErrors()) {
            translateError(up);
            return;
        }
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.addAll(up.headers());
        headersCopied = true;
        ProxyHeaders.cleanResponse(headers);
        headers.set(ProxyHeaders.X_REQUEST_ID, requestId);
        chunkedToClient = !headers.contains(HttpHeaders.CONTENT_LENGTH);
        up.handler(this::responseChunk);
        up.endHandler(this::responseEnd);
        up.exceptionHandler(this::upstreamFailed);
        response.drainHandler(v -> {
            if (!finished) {
                up.resume();
            }
        });
    }

    /**
     * A service's error on a seed path: its (small) body is read whole and answered in the seed's
     * error shape. Only errors are buffered; success bodies always stream.
     */
    private void translateError(HttpClientResponse up) {
        Buffer body = Buffer.buffer();
        boolean[] truncated = {false};
        up.handler(chunk -> {
            if (body.length() + chunk.length() <= ERROR_BODY_MAX) {
                body.appendBuffer(chunk);
            } else {
                truncated[0] = true;
            }
        });
        up.exceptionHandler(this::upstreamFailed);
        up.endHandler(v -> {
            if (finished) {
                return;
            }
            finished = true;
            long retryAfter = 0;
            String ra = up.getHeader(ProxyHandler.RETRY_AFTER);
            if (ra != null) {
                try {
                    retryAfter = Long.parseLong(ra.trim());
                } catch (NumberFormatException ignored) {
                    // an HTTP date: the header itself still travels
                }
            }
            ErrorInfo info = proxy.errors.read(status, truncated[0] ? new byte[0] : body.getBytes(), requestId, retryAfter);
            MultiMap headers = response.headers();
            headers.addAll(up.headers());
            headersCopied = true;
            ProxyHeaders.cleanResponse(headers);
            headers.remove(HttpHeaders.CONTENT_LENGTH);
            headers.remove(HttpHeaders.CONTENT_ENCODING);
            answered = proxy.problems.write(response, dialect, info, request.path());
            upstream.finished(status, System.nanoTime() - start);
            if (!requestEnded) {
                abortUpstream();
                closeAfterResponse();
            }
        });
    }

    private void responseChunk(Buffer chunk) {
        if (finished) {
            return;
        }
        if (chunkedToClient) {
            chunkedToClient = false;
            response.setChunked(true);
        }
        response.write(chunk);
        if (response.writeQueueFull()) {
            upstreamResponse.pause();
        }
    }

    private void responseEnd(Void v) {
        if (finished) {
            return;
        }
        finished = true;
        answered = response.end();
        upstream.finished(status, System.nanoTime() - start);
        if (!requestEnded) {
            // The service answered before reading the whole body: stop sending it, and do not
            // leave the client's connection in the middle of a request.
            abortUpstream();
            closeAfterResponse();
        }
    }

    private void upstreamFailed(Throwable cause) {
        if (finished) {
            return;
        }
        boolean timeout = cause instanceof TimeoutException;
        abortUpstream();
        if (response.headWritten()) {
            // Part of the answer is already with the client: all that is left is to cut it off.
            upstream.failed(timeout ? "timeout" : "reset");
            upstream.finished(status, System.nanoTime() - start);
            LOG.debugf("%s failed mid-response: %s", upstream.name(), cause);
            response.reset();
            return;
        }
        if (headersCopied) {
            response.headers().clear();
        }
        if (timeout) {
            fail(504, ErrorCode.UPSTREAM_TIMEOUT, "service " + upstream.name() + " did not answer within "
                    + route.timeoutMillis() + " ms", "timeout");
        } else {
            LOG.debugf("%s failed: %s", upstream.name(), cause);
            fail(502, ErrorCode.BAD_GATEWAY, "service " + upstream.name() + " closed the connection", "reset");
        }
        if (!requestEnded) {
            closeAfterResponse();
        }
    }

    /** Cuts the request to the service; its failure callbacks then find the exchange already settled. */
    private void abortUpstream() {
        finished = true;
        if (upstreamRequest != null) {
            upstreamRequest.reset();
        }
    }

    private void clientGone() {
        if (finished) {
            return;
        }
        abortUpstream();
        upstream.failed("client_gone");
        upstream.finished(0, System.nanoTime() - start);
    }

    private void tooLarge() {
        abortUpstream();
        if (response.headWritten()) {
            upstream.failed("too_large");
            upstream.finished(413, System.nanoTime() - start);
            response.reset();
            return;
        }
        if (headersCopied) {
            response.headers().clear();
        }
        fail(413, ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds " + route.maxBodySize() + " bytes on "
                + route.prefix(), "too_large");
        closeAfterResponse();
    }

    /** Answers with a problem of the gateway's own. */
    private void fail(int code, String errorCode, String detail, String reason) {
        finished = true;
        status = code;
        upstream.failed(reason);
        if (!requestEnded) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        answered = proxy.problems.write(response, dialect, code, errorCode, detail, request.path(), requestId);
        upstream.finished(code, System.nanoTime() - start);
    }

    /**
     * Closes the client's connection once the answer is out: the rest of its body will not be
     * read. Some of it is read and dropped first, so a client that is still sending sees the answer
     * instead of a reset.
     */
    private void closeAfterResponse() {
        if (request.version() == HttpVersion.HTTP_2) {
            response.reset(8); // CANCEL: only this stream
            return;
        }
        if (request.isEnded()) {
            answered.onComplete(v -> request.connection().close());
            return;
        }
        long[] drained = {0};
        long timer = proxy.vertx.setTimer(DRAIN_MILLIS, id -> request.connection().close());
        request.handler(chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > DRAIN_LIMIT) {
                proxy.vertx.cancelTimer(timer);
                request.connection().close();
            }
        });
        request.endHandler(v -> {
            proxy.vertx.cancelTimer(timer);
            request.connection().close();
        });
        request.exceptionHandler(e -> proxy.vertx.cancelTimer(timer));
        request.resume();
    }

    private boolean hasBody() {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            return !"0".equals(length);
        }
        if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            return true;
        }
        return request.version() == HttpVersion.HTTP_2 && !request.isEnded();
    }

    /** The caller's {@code X-Request-Id} when it is well formed, else a new one. */
    static String requestId(HttpServerRequest request) {
        String incoming = request.getHeader(ProxyHeaders.X_REQUEST_ID);
        return incoming == null ? RequestIdGenerator.next() : RequestIds.resolve(incoming);
    }

    /** The peer's address, from the connection (the router's wrapper would parse forwarding headers each time). */
    static String remoteAddress(HttpServerRequest request) {
        var address = request.connection() == null ? null : request.connection().remoteAddress();
        if (address == null) {
            return "unknown";
        }
        String ip = address.hostAddress();
        return ip != null ? ip : address.host();
    }

    /** The declared body length, -1 when none is declared, -2 when it is not a number. */
    private long contentLength() {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(length.trim());
            return n < 0 ? -2 : n;
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    /** The path and query to ask the service for: the normalized path the route matched on. */
    static String upstreamUri(RoutingContext ctx, Upstream upstream) {
        return upstreamUri(ctx, upstream, ctx.normalizedPath());
    }

    /** The path and query to ask the service for: {@code path} (the canonical path) and the request's query. */
    static String upstreamUri(RoutingContext ctx, Upstream upstream, String path) {
        HttpServerRequest request = ctx.request();
        String uri = request.uri();
        String base = upstream.basePath();
        if (uri.startsWith(path) && (uri.length() == path.length() || uri.charAt(path.length()) == '?')) {
            return base.isEmpty() ? uri : base + uri;
        }
        String query = request.query();
        return base + path + (query == null ? "" : "?" + query);
    }
}
