package dev.ensemble.gateway.proxy;

import dev.ensemble.gateway.dialect.Dialect;
import dev.ensemble.gateway.dialect.ErrorBodies;
import dev.ensemble.gateway.dialect.ErrorInfo;
import dev.ensemble.web.Problem;
import dev.ensemble.web.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Writes the gateway's own answers (401, 404, 413, 429, 502, 503, 504) from Vert.x handlers: as
 * problem+json, or in the error shape of the seed whose path was called.
 */
@Singleton
public class ProblemResponses {

    private static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized(Problem.MEDIA_TYPE);
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

    @Inject
    ErrorBodies errors;

    /** Ends {@code response} with a problem; the caller decides whether the connection stays open. */
    public Future<Void> write(HttpServerResponse response, int status, String code, String detail, String path,
                              String requestId) {
        return write(response, null, status, code, detail, path, requestId);
    }

    public Future<Void> write(HttpServerResponse response, Dialect dialect, int status, String code, String detail,
                              String path, String requestId) {
        return write(response, dialect, new ErrorInfo(status, code, detail, null, null, requestId, 0), path);
    }

    public Future<Void> write(HttpServerResponse response, Dialect dialect, ErrorInfo error, String path) {
        byte[] body = errors.render(dialect, error, path);
        boolean canonical = dialect == null || !dialect.translatesErrors();
        return response.setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, canonical ? PROBLEM_JSON : JSON)
                .putHeader(RequestIds.HEADER, error.requestId())
                .end(Buffer.buffer(body));
    }
}
