package dev.ensemble.inference.llm;

import dev.ensemble.llm.model.BundledModel;
import dev.ensemble.llm.provider.LlmException;
import dev.ensemble.llm.provider.ProviderConfig;
import dev.ensemble.llm.provider.StreamEnd;
import dev.ensemble.llm.provider.StreamListener;
import dev.ensemble.llm.wire.ChatChunks;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.Completion;
import dev.ensemble.llm.wire.CompletionRequest;
import dev.ensemble.llm.wire.ErrorResponse;
import dev.ensemble.llm.wire.Json;
import dev.ensemble.llm.wire.Model;
import dev.ensemble.llm.wire.ModelList;
import dev.ensemble.llm.wire.Sse;
import dev.ensemble.llm.wire.Usage;
import dev.ensemble.llm.wire.WireValidationException;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.RequestIds;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The OpenAI API ({@code GET /v1/models}, {@code POST /v1/chat/completions},
 * {@code POST /v1/completions}) as plain Vert.x routes: the body decides between a JSON answer and
 * an SSE stream, tokens are written as the model produces them, a client that goes away cancels
 * the generation, and every error is OpenAI's {@code {"error":{message,type,param,code}}} (also
 * mid-stream, as a final {@code data:} event), which is what OpenAI's client libraries parse.
 */
@ApplicationScoped
public class OpenAiRoutes {

    private static final Logger LOG = Logger.getLogger(OpenAiRoutes.class);
    static final long BODY_LIMIT = 10L << 20;

    @Inject
    LlmEngine engine;

    @Inject
    LlmCalls calls;

    @Inject
    Callers callers;

    void install(@Observes Router router) {
        router.get("/v1/models").handler(this::models);
        router.get("/v1/models/:model").handler(this::model);
        router.post("/v1/chat/completions").handler(io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
                .handler(ctx -> withBody(ctx, this::chatCompletions)).failureHandler(this::failure);
        router.post("/v1/completions").handler(io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
                .handler(ctx -> withBody(ctx, this::completions)).failureHandler(this::failure);
    }

    // --- GET /v1/models ---

    void models(RoutingContext ctx) {
        UUID owner = authenticated(ctx);
        if (owner == null) {
            return;
        }
        try {
            List<Model> models = new ArrayList<>();
            for (String id : engine.backend().models()) {
                models.add(describe(id));
            }
            json(ctx, 200, ModelList.of(models));
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    void model(RoutingContext ctx) {
        UUID owner = authenticated(ctx);
        if (owner == null) {
            return;
        }
        try {
            String id = ctx.pathParam("model");
            if (!engine.backend().serves(id)) {
                throw new LlmException(LlmException.Kind.UNKNOWN_MODEL, null, "The model '" + id + "' does not exist");
            }
            json(ctx, 200, describe(id));
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    private Model describe(String id) {
        String owner = BundledModel.MODEL_ID.equals(id) ? "ensemble" : engine.providers().stream()
                .filter(p -> p.models().contains(id)).map(ProviderConfig::name).findFirst().orElse("ensemble");
        return Model.of(id, engine.readyAt() / 1000, owner);
    }

    // --- POST /v1/chat/completions ---

    void chatCompletions(RoutingContext ctx, UUID owner, String body) {
        ChatCompletionRequest request;
        try {
            request = Json.read(body, ChatCompletionRequest.class).validate(engine.config().maxTokensLimit());
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        String requestId = requestId(ctx);
        calls.hold(ctx.request().getHeader("Authorization"), request).subscribe().with(
                hold -> startChat(ctx, owner, hold, request, requestId), e -> fail(ctx, e));
    }

    private void startChat(RoutingContext ctx, UUID owner, LlmCalls.Hold hold, ChatCompletionRequest request,
                           String requestId) {
        if (!request.isStream()) {
            try {
                LlmCalls.Running run = calls.chat(owner, hold, request, requestId);
                cancelOnClose(ctx, run);
                run.outcome().whenComplete((o, t) -> onContext(ctx, () -> {
                    if (o.error() != null) {
                        fail(ctx, o.error());
                        return;
                    }
                    StreamEnd end = o.end();
                    json(ctx, 200, ChatChunks.start(request.model()).completion(o.text(), end.finishReason(),
                            usageOf(end)));
                }));
            } catch (RuntimeException e) {
                fail(ctx, e);
            }
            return;
        }
        ChatChunks chunks = ChatChunks.start(request.model());
        SseWriter sse = new SseWriter(ctx, requestId) {
            @Override
            void begin() {
                send(Sse.event(chunks.role()));
            }

            @Override
            String piece(String text) {
                return Sse.event(chunks.content(text));
            }

            @Override
            void finish(StreamEnd end) {
                send(Sse.event(chunks.finish(end.finishReason())));
                if (request.includeUsage()) {
                    send(Sse.event(chunks.usage(usageOf(end))));
                }
            }
        };
        try {
            sse.run = calls.streamChat(owner, hold, request, requestId, sse);
            cancelOnClose(ctx, sse.run);
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    // --- POST /v1/completions ---

    void completions(RoutingContext ctx, UUID owner, String body) {
        CompletionRequest request;
        try {
            request = Json.read(body, CompletionRequest.class).validate(engine.config().maxTokensLimit());
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        String requestId = requestId(ctx);
        calls.hold(ctx.request().getHeader("Authorization"), request).subscribe().with(
                hold -> startCompletion(ctx, owner, hold, request, requestId), e -> fail(ctx, e));
    }

    private void startCompletion(RoutingContext ctx, UUID owner, LlmCalls.Hold hold, CompletionRequest request,
                                 String requestId) {
        String id = ChatChunks.newId("cmpl-");
        long created = System.currentTimeMillis() / 1000;
        if (!request.isStream()) {
            try {
                LlmCalls.Running run = calls.complete(owner, hold, request, requestId);
                cancelOnClose(ctx, run);
                run.outcome().whenComplete((o, t) -> onContext(ctx, () -> {
                    if (o.error() != null) {
                        fail(ctx, o.error());
                        return;
                    }
                    json(ctx, 200, Completion.of(id, created, request.model(), o.text(), o.end().finishReason(),
                            usageOf(o.end())));
                }));
            } catch (RuntimeException e) {
                fail(ctx, e);
            }
            return;
        }
        SseWriter sse = new SseWriter(ctx, requestId) {
            @Override
            void begin() {
            }

            @Override
            String piece(String text) {
                return Sse.event(Completion.of(id, created, request.model(), text, null, null));
            }

            @Override
            void finish(StreamEnd end) {
                send(Sse.event(Completion.of(id, created, request.model(), "", end.finishReason(), null)));
                if (request.includeUsage()) {
                    send(Sse.event(new Completion(id, Completion.OBJECT, created, request.model(), List.of(), usageOf(end))));
                }
            }
        };
        try {
            sse.run = calls.streamCompletion(owner, hold, request, requestId, sse);
            cancelOnClose(ctx, sse.run);
        } catch (RuntimeException e) {
            fail(ctx, e);
        }
    }

    static Usage usageOf(StreamEnd end) {
        return end.usage() == null ? Usage.of(0, end.pieces()) : end.usage();
    }

    /**
     * One SSE answer: nothing is sent until the first token (so a failure before it is a plain
     * HTTP error), then the events, written in order on the request's context; the end (or the
     * error event) and {@code data: [DONE]}.
     */
    abstract static class SseWriter implements StreamListener {
        final RoutingContext ctx;
        final Context context;
        final String requestId;
        volatile LlmCalls.Running run;
        private boolean started;

        SseWriter(RoutingContext ctx, String requestId) {
            this.ctx = ctx;
            this.context = ctx.vertx().getOrCreateContext();
            this.requestId = requestId;
        }

        abstract void begin();

        abstract String piece(String text);

        abstract void finish(StreamEnd end);

        /** Called on the request's context only. */
        void send(String event) {
            HttpServerResponse r = ctx.response();
            if (!r.ended() && !r.closed()) {
                r.write(event);
            }
        }

        private void open() {
            if (started) {
                return;
            }
            started = true;
            HttpServerResponse r = ctx.response();
            if (r.headWritten() || r.ended() || r.closed()) {
                return;
            }
            r.setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", Sse.CONTENT_TYPE + "; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no")
                    .putHeader(RequestIds.HEADER, requestId);
            begin();
        }

        @Override
        public void onToken(String text) {
            String event = piece(text);
            context.runOnContext(v -> {
                open();
                send(event);
            });
        }

        @Override
        public void onComplete(StreamEnd end) {
            context.runOnContext(v -> {
                open();
                finish(end);
                send(Sse.DONE);
                end();
            });
        }

        @Override
        public void onError(LlmException error, StreamEnd partial) {
            context.runOnContext(v -> {
                if (!started) {
                    fail(ctx, error);
                    return;
                }
                send(Sse.error(error.getMessage(), error.openAiType(), error.openAiCode()));
                send(Sse.DONE);
                end();
            });
        }

        private void end() {
            HttpServerResponse r = ctx.response();
            if (!r.ended() && !r.closed()) {
                r.end();
            }
        }
    }

    // --- plumbing ---

    /** Cancels the generation when the client goes away before the answer ended. */
    private static void cancelOnClose(RoutingContext ctx, LlmCalls.Running run) {
        ctx.response().closeHandler(v -> run.handle().cancel());
        ctx.request().connection().closeHandler(v -> run.handle().cancel());
    }

    @FunctionalInterface
    interface BodyHandler {
        void handle(RoutingContext ctx, UUID owner, String body);
    }

    /** Authenticates, then hands the body (read by the route's body handler) on. */
    private void withBody(RoutingContext ctx, BodyHandler next) {
        UUID owner = authenticated(ctx);
        if (owner == null) {
            return;
        }
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        next.handle(ctx, owner, body == null ? "" : body.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A body over the limit (the body handler fails the route with 413), or any other failure, in OpenAI's shape. */
    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            ctx.response().putHeader("Connection", "close");
            error(ctx, 413, "The request body is larger than " + BODY_LIMIT + " bytes", "invalid_request_error", null,
                    "request_too_large");
        } else if (ctx.failure() != null) {
            fail(ctx, ctx.failure());
        } else {
            error(ctx, status > 0 ? status : 500, "the request failed", status >= 500 || status < 0 ? "server_error"
                    : "invalid_request_error", null, null);
        }
    }

    /** The caller, or null after answering 401. */
    private UUID authenticated(RoutingContext ctx) {
        UUID owner = callers.fromIdentity(ctx);
        if (owner == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            error(ctx, 401, "You didn't provide a valid API key or token. Send Authorization: Bearer <token>.",
                    "invalid_request_error", null, "invalid_api_key");
        }
        return owner;
    }

    private static String requestId(RoutingContext ctx) {
        return RequestIds.resolve(ctx.request().getHeader(RequestIds.HEADER));
    }

    private static void onContext(RoutingContext ctx, Runnable action) {
        ctx.vertx().getOrCreateContext().runOnContext(v -> action.run());
    }

    /** Answers a failure in OpenAI's error shape. */
    static void fail(RoutingContext ctx, Throwable e) {
        if (e instanceof WireValidationException w) {
            error(ctx, 400, w.getMessage(), "invalid_request_error", w.param(), w.code());
        } else if (e instanceof LlmException l) {
            int status = l.httpStatus() == 499 ? 503 : l.httpStatus();
            String message = l.kind() == LlmException.Kind.UNKNOWN_MODEL
                    ? l.getMessage() + "; GET /v1/models lists the models served" : l.getMessage();
            error(ctx, status, message, l.openAiType(), l.kind() == LlmException.Kind.UNKNOWN_MODEL ? "model" : null,
                    l.openAiCode());
        } else if (e instanceof ApiException a) {
            a.headers().forEach((k, v) -> ctx.response().putHeader(k, v));
            String param = a.errors() == null || a.errors().isEmpty() ? null : a.errors().get(0).field();
            String type = switch (a.status()) {
                case 401 -> "invalid_request_error";
                case 402 -> "insufficient_quota";
                case 429 -> "rate_limit_error";
                case 503 -> "server_error";
                default -> a.status() >= 500 ? "server_error" : "invalid_request_error";
            };
            String code = a.status() == 503 && a.getMessage().startsWith("model warming up") ? "model_warming_up"
                    : a.code() == null ? null : a.code().toLowerCase(java.util.Locale.ROOT);
            error(ctx, a.status(), a.getMessage(), type, param, code);
        } else {
            LOG.errorf(e, "OpenAI API request failed");
            error(ctx, 500, "The server had an error while processing your request.", "server_error", null, null);
        }
    }

    static void error(RoutingContext ctx, int status, String message, String type, String param, String code) {
        json(ctx, status, ErrorResponse.of(message, type, param, code));
    }

    static void json(RoutingContext ctx, int status, Object body) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed() || r.headWritten()) {
            return;
        }
        r.setStatusCode(status).putHeader("Content-Type", "application/json")
                .putHeader(RequestIds.HEADER, requestId(ctx)).end(Json.write(body));
    }
}
