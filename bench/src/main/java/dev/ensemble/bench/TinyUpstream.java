package dev.ensemble.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;

import java.util.concurrent.TimeUnit;

/**
 * A service that costs almost nothing: every GET answers the same JSON body of about the size of
 * a JWKS document, so what a benchmark measures is the HTTP path, not the service's work.
 */
final class TinyUpstream implements AutoCloseable {

    static final String BODY = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"bench\","
            + "\"e\":\"AQAB\",\"n\":\"" + "x".repeat(342) + "\"}]}";

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
            .setInternalBlockingPoolSize(1));
    private final HttpServer server;

    TinyUpstream() throws Exception {
        Buffer body = Buffer.buffer(BODY);
        CharSequence json = HttpHeaders.createOptimized("application/json");
        CharSequence length = HttpHeaders.createOptimized(Integer.toString(body.length()));
        server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/q/health/ready")) {
                req.response().end("{\"status\":\"UP\",\"checks\":[]}");
                return;
            }
            req.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, json)
                    .putHeader(HttpHeaders.CONTENT_LENGTH, length)
                    .end(body);
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
