package dev.ensemble.inference.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.RequestIds;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * AI Orchestra's chat ({@code /chat/v2/chat}, the legacy {@code /chat/v1/chat}; the gateway
 * rewrites {@code /chat} to {@code /api/v1/chat}), the canonical {@code POST /api/v1/chat}, and
 * the caller's sessions. Answers in Orchestra's {@code {success, data, metadata, error}} envelope;
 * errors are problem+json, which the gateway renders in Orchestra's shape on its paths.
 */
@Path("/api/v1/chat")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class ChatResource {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    JsonWebToken jwt;

    @Inject
    ChatService chat;

    @Inject
    ChatSessions sessions;

    /** The canonical chat: the v2 body, or the v1 body when it carries {@code text}. */
    @POST
    public Uni<Map<String, Object>> chat(JsonNode body) {
        ObjectNode b = LlmResource.object(body);
        boolean legacy = !b.has("message") && b.has("text");
        return run(legacy ? v1(b) : v2(b), legacy ? "text" : "message", legacy ? "v1" : "v2");
    }

    @POST
    @Path("/v2/chat")
    public Uni<Map<String, Object>> chatV2(JsonNode body) {
        return run(v2(LlmResource.object(body)), "message", "v2");
    }

    @POST
    @Path("/v1/chat")
    public Uni<Map<String, Object>> chatV1(JsonNode body) {
        return run(v1(LlmResource.object(body)), "text", "v1");
    }

    @GET
    @Path("/sessions")
    public Uni<Map<String, Object>> list(@QueryParam("limit") @DefaultValue("50") int limit,
                                        @QueryParam("offset") @DefaultValue("0") int offset) {
        if (limit < 1 || limit > 500) {
            throw ApiException.badRequest("limit", "must be between 1 and 500");
        }
        if (offset < 0) {
            throw ApiException.badRequest("offset", "must not be negative");
        }
        return sessions.list(owner(), limit, offset).map(list -> envelope(Map.of("sessions", list, "count", list.size()), "v2"));
    }

    @GET
    @Path("/sessions/{id}")
    public Uni<Map<String, Object>> session(@PathParam("id") String id) {
        if (!ChatSessions.ID.matcher(id).matches()) {
            throw ChatSessions.notFound(id);
        }
        return sessions.get(owner(), id).map(s -> envelope(s, "v2"));
    }

    @DELETE
    @Path("/sessions/{id}")
    public Uni<Map<String, Object>> delete(@PathParam("id") String id) {
        if (!ChatSessions.ID.matcher(id).matches()) {
            throw ChatSessions.notFound(id);
        }
        return sessions.delete(owner(), id).map(v -> envelope(Map.of("session_id", id, "deleted", true), "v2"));
    }

    private Uni<Map<String, Object>> run(ChatService.ChatInput in, String messageField, String version) {
        chat.validate(in, messageField);
        String requestId = requestId();
        return chat.chat(owner(), jwt.getRawToken(), in, requestId, null).map(r -> {
            Map<String, Object> data = r.data();
            if ("v1".equals(version)) {
                data.put("sessionId", r.sessionId());
            }
            return envelope(data, version, requestId);
        });
    }

    static ChatService.ChatInput v2(ObjectNode b) {
        return new ChatService.ChatInput(text(b, "message"), text(b, "session_id"), text(b, "optimization_mode"),
                text(b, "swarm_type"), bool(b, "use_memory"), context(b, "user_context"), text(b, "model"));
    }

    static ChatService.ChatInput v1(ObjectNode b) {
        String session = text(b, "sessionId");
        return new ChatService.ChatInput(text(b, "text"), session, null, null, session != null, null, null);
    }

    static String text(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, "must be a string");
        }
        return v.asText();
    }

    static boolean bool(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(field, "must be true or false");
        }
        return v.asBoolean();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> context(JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.badRequest(field, "must be an object");
        }
        if (v.toString().length() > 4096) {
            throw ApiException.badRequest(field, "must be at most 4096 characters as JSON");
        }
        return MAPPER.convertValue(v, Map.class);
    }

    static Map<String, Object> envelope(Object data, String version) {
        return envelope(data, version, requestId());
    }

    static Map<String, Object> envelope(Object data, String version, String requestId) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("request_id", requestId);
        meta.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        meta.put("version", version);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("success", true);
        e.put("data", data);
        e.put("metadata", meta);
        e.put("error", null);
        return e;
    }

    private UUID owner() {
        return UUID.fromString(jwt.getSubject());
    }

    private static String requestId() {
        String id = RequestIds.current();
        return id != null ? id : RequestIds.generate();
    }
}
