package dev.ensemble.gateway.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.web.Problem;
import dev.ensemble.web.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import java.util.List;

/** Writes the gateway's own answers (502, 503, 504, 413, 404) as problem+json from Vert.x handlers. */
@Singleton
public class ProblemResponses {

    private static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized(Problem.MEDIA_TYPE);

    @Inject
    ObjectMapper json;

    /** Ends {@code response} with a problem; the caller decides whether the connection stays open. */
    public Future<Void> write(HttpServerResponse response, int status, String code, String detail, String path,
                      String requestId) {
        Problem problem = Problem.of(status, code, detail, path, requestId, List.of());
        byte[] body;
        try {
            body = json.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a problem", e);
        }
        return response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON)
                .putHeader(RequestIds.HEADER, requestId)
                .end(Buffer.buffer(body));
    }
}
