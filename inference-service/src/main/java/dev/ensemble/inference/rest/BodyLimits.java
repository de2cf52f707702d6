package dev.ensemble.inference.rest;

import dev.ensemble.inference.config.InferenceConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The service's body limit is sized for model uploads; every other request keeps the suite's
 * small limit, and an upload larger than the quota's file size is refused before it is read.
 * Both answer 413 as problem+json from the declared Content-Length.
 */
@ApplicationScoped
public class BodyLimits {

    static final long JSON_LIMIT = 10L << 20;

    @Inject
    InferenceConfig config;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 10).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                long n;
                try {
                    n = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    n = -1;
                }
                boolean upload = ctx.request().path().endsWith("/models/upload");
                long max = upload ? config.quota().maxFileSize().asLongValue() + (1L << 20) : JSON_LIMIT;
                if (n > max) {
                    String detail = upload ? "the upload is larger than the largest allowed model file ("
                            + config.quota().maxFileSize().asLongValue() + " bytes)" : "request body too large";
                    JsonObject problem = new JsonObject()
                            .put("type", "https://ensemble.dev/problems/payload-too-large")
                            .put("title", "Content Too Large").put("status", 413)
                            .put("detail", detail).put("instance", ctx.request().path())
                            .put("code", "PAYLOAD_TOO_LARGE").put("error", detail);
                    ctx.response().setStatusCode(413).putHeader("Content-Type", "application/problem+json")
                            .putHeader("Connection", "close").end(problem.encode());
                    return;
                }
            }
            ctx.next();
        });
    }
}
