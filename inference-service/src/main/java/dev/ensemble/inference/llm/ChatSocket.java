package dev.ensemble.inference.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.RequestIds;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * AI Orchestra's {@code WS /chat/ws/{client_id}/{session_id}} (the gateway forwards it as
 * {@code /api/v1/chat/ws/...}). The upgrade is authenticated (a JWT in {@code Authorization},
 * or in the {@code access_token} / {@code token} query parameter for browsers) and the session
 * checked (another user's is 404) before the socket opens. Messages are
 * {@code {type, data, timestamp}} with type {@code chat}, {@code stream}, {@code command} or
 * {@code control}; answers stream token by token as {@code stream} messages, end with a
 * {@code chat} message, and problems come back as {@code error} messages without closing the
 * connection. At most {@code ensemble.llm.chat.ws-messages-per-minute} messages per connection.
 */
@ApplicationScoped
public class ChatSocket {

    private static final Logger LOG = Logger.getLogger(ChatSocket.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final String PATH = "/api/v1/chat/ws/:clientId/:sessionId";

    @Inject
    Callers callers;

    @Inject
    ChatService chat;

    @Inject
    ChatSessions sessions;

    @Inject
    LlmEngine engine;

    private final AtomicInteger open = new AtomicInteger();

    void install(@Observes Router router) {
        router.get(PATH).handler(this::upgrade);
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    void upgrade(RoutingContext ctx) {
        var request = ctx.request();
        if (!request.headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)) {
            problem(ctx, 400, ErrorCode.VALIDATION_ERROR, "this path is a WebSocket: send an Upgrade: websocket request");
            return;
        }
        String clientId = ctx.pathParam("clientId");
        String sessionId = ctx.pathParam("sessionId");
        if (clientId == null || !ChatSessions.ID.matcher(clientId).matches()) {
            problem(ctx, 400, ErrorCode.VALIDATION_ERROR, "client_id: must be 1-200 characters of letters, digits and . _ : @ -");
            return;
        }
        if (sessionId == null || !ChatSessions.ID.matcher(sessionId).matches()) {
            problem(ctx, 400, ErrorCode.VALIDATION_ERROR, "session_id: must be 1-200 characters of letters, digits and . _ : @ -");
            return;
        }
        request.pause();
        UUID fromHeader = callers.fromIdentity(ctx);
        String token = request.getParam("access_token") != null ? request.getParam("access_token") : request.getParam("token");
        io.vertx.core.Future<UUID> who = fromHeader != null ? io.vertx.core.Future.succeededFuture(fromHeader)
                : ctx.vertx().executeBlocking(() -> callers.fromToken(token), false);
        // The caller's token also holds each answer's cost with billing (as the caller).
        String bearer = fromHeader != null ? request.getHeader("Authorization") : token;
        who.onComplete(ar -> {
            UUID owner = ar.succeeded() ? ar.result() : null;
            if (owner == null) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                problem(ctx, 401, ErrorCode.AUTH_REQUIRED,
                        "authentication required: send Authorization: Bearer <token> or ?access_token=<token>");
                request.resume();
                return;
            }
            sessions.claim(owner, sessionId).subscribe().with(v -> ctx.vertx().runOnContext(x -> accept(ctx, owner, bearer,
                    clientId, sessionId)), e -> ctx.vertx().runOnContext(x -> {
                if (e instanceof ApiException a) {
                    problem(ctx, a.status(), a.code(), a.getMessage());
                } else {
                    LOG.warnf("chat socket: session check failed: %s", e.getMessage());
                    problem(ctx, 503, ErrorCode.SERVICE_UNAVAILABLE, "the session store is unavailable");
                }
                request.resume();
            }));
        });
    }

    private void accept(RoutingContext ctx, UUID owner, String bearer, String clientId, String sessionId) {
        ctx.request().toWebSocket().onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("chat socket: upgrade failed: %s", ar.cause().getMessage());
                return;
            }
            new Connection(ar.result(), owner, bearer, clientId, sessionId).start();
        });
        ctx.request().resume();
    }

    private static void problem(RoutingContext ctx, int status, String code, String detail) {
        if (ctx.response().ended()) {
            return;
        }
        JsonObject p = new JsonObject().put("type", "https://ensemble.dev/problems/" + code.toLowerCase().replace('_', '-'))
                .put("title", io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase())
                .put("status", status).put("detail", detail).put("instance", ctx.request().path())
                .put("code", code).put("error", detail)
                .put("request_id", RequestIds.resolve(ctx.request().getHeader(RequestIds.HEADER)));
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(p.encode());
    }

    /** One open socket. */
    final class Connection {
        final ServerWebSocket ws;
        final UUID owner;
        /** The caller's token, used to hold each answer's cost; a {@code control auth} message renews it. */
        volatile String bearer;
        final String clientId;
        final String sessionId;
        final Context context;
        final ArrayDeque<Long> recent = new ArrayDeque<>();
        final int limit = engine.config().chat().wsMessagesPerMinute();
        volatile LlmCalls.Running current;
        volatile boolean busy;
        int received;

        Connection(ServerWebSocket ws, UUID owner, String bearer, String clientId, String sessionId) {
            this.ws = ws;
            this.owner = owner;
            this.bearer = bearer;
            this.clientId = clientId;
            this.sessionId = sessionId;
            this.context = io.vertx.core.Vertx.currentContext();
        }

        void start() {
            open.incrementAndGet();
            ws.closeHandler(v -> {
                open.decrementAndGet();
                cancel();
            });
            ws.exceptionHandler(e -> LOG.debugf("chat socket %s: %s", clientId, e.getMessage()));
            ws.textMessageHandler(this::onText);
            ws.binaryMessageHandler(b -> {
                if (admit()) {
                    error(null, ErrorCode.VALIDATION_ERROR, "binary frames are not supported; send JSON text messages", null);
                }
            });
            Map<String, Object> hello = new LinkedHashMap<>();
            hello.put("action", "connected");
            hello.put("client_id", clientId);
            hello.put("session_id", sessionId);
            hello.put("model_ready", engine.ready());
            hello.put("messages_per_minute", limit);
            send("control", hello);
        }

        void cancel() {
            LlmCalls.Running r = current;
            if (r != null) {
                r.handle().cancel();
            }
        }

        /** The per-connection rate limit: a sliding minute. */
        private boolean admit() {
            long now = System.currentTimeMillis();
            while (!recent.isEmpty() && recent.peekFirst() <= now - 60_000) {
                recent.pollFirst();
            }
            if (recent.size() >= limit) {
                long retry = Math.max(1, (recent.peekFirst() + 60_000 - now + 999) / 1000);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("code", "RATE_LIMIT_ERROR");
                d.put("message", "at most " + limit + " messages per minute per connection; retry in " + retry + " s");
                d.put("retry_after", retry);
                send("error", d);
                return false;
            }
            recent.addLast(now);
            return true;
        }

        void onText(String text) {
            received++;
            if (!admit()) {
                return;
            }
            if (text.length() > engine.config().chat().wsMaxFrameBytes()) {
                error(null, ErrorCode.PAYLOAD_TOO_LARGE, "the message is larger than " + engine.config().chat().wsMaxFrameBytes()
                        + " characters", null);
                return;
            }
            JsonNode msg;
            try {
                msg = MAPPER.readTree(text);
            } catch (Exception e) {
                error(null, ErrorCode.VALIDATION_ERROR, "malformed JSON: expected {\"type\": ..., \"data\": {...}}", "body");
                return;
            }
            if (msg == null || !msg.isObject()) {
                error(null, ErrorCode.VALIDATION_ERROR, "a message must be a JSON object {\"type\": ..., \"data\": {...}}", "body");
                return;
            }
            JsonNode type = msg.get("type");
            if (type == null || !type.isTextual()) {
                error(null, ErrorCode.VALIDATION_ERROR, "type: required, one of chat, stream, command, control", "type");
                return;
            }
            JsonNode data = msg.get("data");
            String id = msg.hasNonNull("id") ? msg.get("id").asText() : null;
            try {
                switch (type.asText()) {
                    case "chat" -> chat(id, data, false);
                    case "stream" -> chat(id, data, true);
                    case "control" -> control(id, data);
                    case "command" -> command(id, data);
                    default -> error(id, ErrorCode.VALIDATION_ERROR, "type: unknown type '" + truncate(type.asText())
                            + "'; expected chat, stream, command or control", "type");
                }
            } catch (ApiException e) {
                error(id, e.code(), e.getMessage(), e.errors() == null || e.errors().isEmpty() ? null : e.errors().get(0).field());
            } catch (RuntimeException e) {
                LOG.warnf(e, "chat socket %s: message failed", clientId);
                error(id, ErrorCode.INTERNAL_ERROR, "the message could not be processed", null);
            }
        }

        private void chat(String id, JsonNode data, boolean forceStream) {
            if (data == null || !data.isObject()) {
                throw ApiException.badRequest("data", "must be an object with a message");
            }
            ObjectNode d = (ObjectNode) data;
            if (busy) {
                error(id, ErrorCode.CONFLICT, "an answer is still streaming on this connection; wait for it or send "
                        + "{\"type\":\"command\",\"data\":{\"command\":\"cancel\"}}", null);
                return;
            }
            boolean stream = forceStream || !d.has("stream") || ChatResource.bool(d, "stream");
            Map<String, Object> context = ChatResource.context(d, d.has("user_context") ? "user_context" : "context");
            boolean memory = !d.has("use_memory") || ChatResource.bool(d, "use_memory");
            ChatService.ChatInput in = new ChatService.ChatInput(ChatResource.text(d, "message"), sessionId,
                    ChatResource.text(d, "optimization_mode"), ChatResource.text(d, "swarm_type"), memory, context,
                    ChatResource.text(d, "model"));
            chat.validate(in, "message");
            if (!engine.ready()) {
                throw engine.unavailable();
            }
            String requestId = RequestIds.generate();
            busy = true;
            AtomicInteger index = new AtomicInteger();
            chat.chat(owner, bearer, in, requestId, new ChatService.Streaming() {
                @Override
                public void onToken(int step, String role, String token) {
                    if (!stream) {
                        return;
                    }
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("token", token);
                    t.put("index", index.getAndIncrement());
                    t.put("step", step + 1);
                    t.put("role", role);
                    t.put("request_id", requestId);
                    if (id != null) {
                        t.put("id", id);
                    }
                    send("stream", t);
                }

                @Override
                public void onStart(LlmCalls.Running running) {
                    current = running;
                    if (!ws.isClosed()) {
                        return;
                    }
                    running.handle().cancel();
                }
            }).subscribe().with(r -> {
                busy = false;
                current = null;
                Map<String, Object> out = r.data();
                out.put("request_id", requestId);
                out.put("streamed", stream);
                out.put("done", true);
                if (id != null) {
                    out.put("id", id);
                }
                send("chat", out);
            }, e -> {
                busy = false;
                current = null;
                ApiException a = e instanceof ApiException x ? x : LlmCalls.toApi(e instanceof RuntimeException re ? re
                        : new RuntimeException(e));
                error(id, a.code(), a.getMessage(), null);
            });
        }

        private void control(String id, JsonNode data) {
            String action = data == null ? null : data.isTextual() ? data.asText()
                    : data.hasNonNull("action") ? data.get("action").asText() : data.hasNonNull("type") ? data.get("type").asText() : null;
            if (action == null) {
                throw ApiException.badRequest("data.action", "required: ping, pong, status or auth");
            }
            Map<String, Object> d = new LinkedHashMap<>();
            switch (action) {
                case "ping" -> {
                    d.put("action", "pong");
                    if (data.isObject() && data.has("payload")) {
                        d.put("payload", MAPPER.convertValue(data.get("payload"), Object.class));
                    }
                }
                case "pong" -> {
                    return;
                }
                case "auth" -> {
                    renew(id, data);
                    return;
                }
                case "status" -> {
                    d.put("action", "status");
                    d.put("client_id", clientId);
                    d.put("session_id", sessionId);
                    d.put("model_ready", engine.ready());
                    d.put("streaming", busy);
                    d.put("messages_received", received);
                    d.put("messages_last_minute", recent.size());
                    d.put("messages_per_minute", limit);
                }
                default -> throw ApiException.badRequest("data.action", "unknown action '" + truncate(action)
                        + "'; expected ping, pong, status or auth");
            }
            if (id != null) {
                d.put("id", id);
            }
            send("control", d);
        }

        /**
         * {@code {"action": "auth", "token": "<fresh access token>"}}: a long-lived connection keeps
         * working past its first token's expiry. The token must be valid and the same user's.
         */
        private void renew(String id, JsonNode data) {
            String fresh = data.isObject() && data.hasNonNull("token") && data.get("token").isTextual()
                    ? data.get("token").asText().trim() : null;
            if (fresh == null || fresh.isEmpty() || fresh.length() > 16_384) {
                throw ApiException.badRequest("data.token", "required: a fresh access token (JWT)");
            }
            String token = fresh.regionMatches(true, 0, "Bearer ", 0, 7) ? fresh.substring(7).trim() : fresh;
            context.owner().executeBlocking(() -> callers.fromToken(token), false).onComplete(ar -> {
                UUID who = ar.succeeded() ? ar.result() : null;
                if (who == null) {
                    error(id, ErrorCode.INVALID_TOKEN, "the token is not a valid access token", "data.token");
                } else if (!who.equals(owner)) {
                    error(id, ErrorCode.FORBIDDEN, "the token belongs to another user", "data.token");
                } else {
                    bearer = token;
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("action", "auth");
                    d.put("result", "renewed");
                    if (id != null) {
                        d.put("id", id);
                    }
                    send("control", d);
                }
            });
        }

        private void command(String id, JsonNode data) {
            String command = data == null ? null : data.isTextual() ? data.asText()
                    : data.hasNonNull("command") ? data.get("command").asText() : null;
            if (command == null) {
                throw ApiException.badRequest("data.command", "required: cancel, history, clear, models or help");
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("command", command);
            if (id != null) {
                d.put("id", id);
            }
            switch (command) {
                case "cancel" -> {
                    boolean was = current != null;
                    cancel();
                    d.put("result", was ? "cancelled" : "nothing to cancel");
                    send("command", d);
                }
                case "history" -> sessions.get(owner, sessionId).subscribe().with(s -> {
                    d.put("result", s);
                    send("command", d);
                }, e -> error(id, ErrorCode.NOT_FOUND, e.getMessage(), null));
                case "clear" -> sessions.clear(owner, sessionId).subscribe().with(n -> {
                    d.put("result", Map.of("cleared", n));
                    send("command", d);
                }, e -> error(id, ErrorCode.SERVICE_UNAVAILABLE, "the session store is unavailable", null));
                case "models" -> {
                    d.put("result", engine.ready() ? engine.backend().models() : java.util.List.of());
                    send("command", d);
                }
                case "help" -> {
                    d.put("result", Map.of(
                            "chat", "{\"type\":\"chat\",\"data\":{\"message\":\"...\",\"optimization_mode\":\"lite|balanced|quality\","
                                    + "\"swarm_type\":\"research-team|coding-team|creative-team|coding-debate\",\"stream\":true}}",
                            "stream", "like chat, always token by token",
                            "command", "cancel, history, clear, models, help",
                            "control", "ping, pong, status, auth (with a fresh token)"));
                    send("command", d);
                }
                default -> throw ApiException.badRequest("data.command", "unknown command '" + truncate(command)
                        + "'; expected cancel, history, clear, models or help");
            }
        }

        void error(String id, String code, String message, String field) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("code", code);
            d.put("message", message);
            if (field != null) {
                d.put("field", field);
            }
            if (id != null) {
                d.put("id", id);
            }
            send("error", d);
        }

        /** Writes one message on the socket's context, in order, unless it closed. */
        void send(String type, Map<String, Object> data) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", type);
            m.put("data", data);
            m.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
            String json;
            try {
                json = MAPPER.writeValueAsString(m);
            } catch (Exception e) {
                LOG.warnf("chat socket: cannot write %s: %s", type, e.getMessage());
                return;
            }
            Runnable write = () -> {
                if (!ws.isClosed()) {
                    ws.writeTextMessage(json);
                }
            };
            if (io.vertx.core.Vertx.currentContext() == context) {
                write.run();
            } else {
                context.runOnContext(v -> write.run());
            }
        }
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
