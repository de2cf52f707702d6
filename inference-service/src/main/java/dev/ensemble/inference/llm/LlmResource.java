package dev.ensemble.inference.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.llm.model.BundledModel;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.CompletionRequest;
import dev.ensemble.llm.wire.Json;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.RequestIds;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Ai-semble's LLM service ({@code /api/v2/ai/llm/*} through the gateway): the model catalogue,
 * text generation and chat, each answer with {@code request_id}, {@code usage} and
 * {@code metadata{tokens_used, processing_time, cost}}.
 */
@Path("/api/v1/llm")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed("user")
public class LlmResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Inject
    JsonWebToken jwt;

    @Inject
    LlmEngine engine;

    @Inject
    LlmCalls calls;

    /** The catalogue; while the models warm up the local one is listed as {@code loading}. */
    @GET
    @Path("/models")
    public Map<String, Object> models() {
        List<Map<String, Object>> models = new ArrayList<>();
        if (engine.ready()) {
            for (String id : engine.backend().models()) {
                models.add(entry(id, "available"));
            }
        } else if (engine.config().localEnabled()) {
            models.add(entry(BundledModel.MODEL_ID, engine.state() == LlmEngine.State.FAILED ? "failed" : "loading"));
        }
        return Map.of("models", models, "count", models.size());
    }

    private Map<String, Object> entry(String id, String status) {
        boolean local = BundledModel.MODEL_ID.equals(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", local ? "Ensemble Fables LSTM" : id);
        m.put("description", local
                ? "A small character-level LSTM that Ensemble trains itself on public-domain fables, sonnets and rhymes; runs in-process"
                : "Served by an upstream OpenAI-compatible provider");
        m.put("max_tokens", local && engine.ready() ? engine.contextLength(id) : engine.config().maxTokensLimit());
        m.put("cost_per_token", engine.costPerToken(id));
        m.put("capabilities", List.of("text_generation", "chat", "completion", "streaming"));
        m.put("status", status);
        m.put("provider", local ? "local" : engine.providers().stream().filter(p -> p.models().contains(id))
                .map(p -> p.name()).findFirst().orElse("upstream"));
        return m;
    }

    /** {@code {prompt, model, max_tokens, temperature, parameters{top_p, top_k, stop, seed, ...}}}. */
    @POST
    @Path("/generate")
    public Uni<Map<String, Object>> generate(JsonNode body) {
        ObjectNode b = object(body);
        ObjectNode req = F.objectNode();
        req.set("model", b.has("model") && !b.get("model").isNull() ? b.get("model") : F.textNode(engine.defaultModel()));
        if (!b.hasNonNull("prompt")) {
            throw ApiException.badRequest("prompt", "is required");
        }
        if (!b.get("prompt").isTextual() || b.get("prompt").asText().isBlank()) {
            throw ApiException.badRequest("prompt", "must be a non-empty string");
        }
        req.set("prompt", b.get("prompt"));
        sampling(b, req);
        CompletionRequest request;
        try {
            request = Json.read(req.toString(), CompletionRequest.class).validate(engine.config().maxTokensLimit());
        } catch (RuntimeException e) {
            throw LlmCalls.toApi(e);
        }
        String requestId = requestId();
        UUID owner = owner();
        return calls.hold(jwt.getRawToken(), request).chain(hold -> {
            try {
                return LlmCalls.await(calls.complete(owner, hold, request, requestId));
            } catch (RuntimeException e) {
                throw LlmCalls.toApi(e);
            }
        }).map(o -> {
            if (o.error() != null) {
                throw LlmCalls.toApi(o.error());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("request_id", requestId);
            out.put("model", request.model());
            out.put("generated_text", o.text());
            out.put("finish_reason", o.end().finishReason());
            out.put("usage", usage(o));
            out.put("metadata", metadata(o));
            out.put("status", "completed");
            return out;
        });
    }

    /** {@code {messages, model, temperature, max_tokens, ...}} -> {@code {request_id, choices, usage, metadata}}. */
    @POST
    @Path("/chat")
    public Uni<Map<String, Object>> chat(JsonNode body) {
        ObjectNode b = object(body);
        ObjectNode req = b.deepCopy();
        if (!b.hasNonNull("model")) {
            req.put("model", engine.defaultModel());
        }
        req.remove("stream");
        req.remove("stream_options");
        if (b.has("parameters")) {
            req.remove("parameters");
            sampling(b, req);
        }
        ChatCompletionRequest request;
        try {
            request = Json.read(req.toString(), ChatCompletionRequest.class).validate(engine.config().maxTokensLimit());
        } catch (RuntimeException e) {
            throw LlmCalls.toApi(e);
        }
        if (request.messages().stream().allMatch(m -> m.content() == null || m.content().isBlank())) {
            throw ApiException.badRequest("messages", "at least one message must have content");
        }
        String requestId = requestId();
        UUID owner = owner();
        return calls.hold(jwt.getRawToken(), request).chain(hold -> {
            try {
                return LlmCalls.await(calls.chat(owner, hold, request, requestId));
            } catch (RuntimeException e) {
                throw LlmCalls.toApi(e);
            }
        }).map(o -> {
            if (o.error() != null) {
                throw LlmCalls.toApi(o.error());
            }
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", "assistant");
            message.put("content", o.text());
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            choice.put("message", message);
            choice.put("finish_reason", o.end().finishReason());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("request_id", requestId);
            out.put("model", request.model());
            out.put("choices", List.of(choice));
            out.put("usage", usage(o));
            out.put("metadata", metadata(o));
            out.put("status", "completed");
            return out;
        });
    }

    /** Copies the sampling fields, top level first, then Ai-semble's {@code parameters} object. */
    private static void sampling(ObjectNode b, ObjectNode req) {
        for (String f : List.of("max_tokens", "temperature", "top_p", "top_k", "stop", "seed", "frequency_penalty",
                "presence_penalty")) {
            if (b.has(f)) {
                req.set(f, b.get(f));
            }
        }
        JsonNode p = b.get("parameters");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw ApiException.badRequest("parameters", "must be an object");
            }
            p.fields().forEachRemaining(e -> {
                if (!req.has(e.getKey()) && List.of("max_tokens", "temperature", "top_p", "top_k", "stop", "seed",
                        "frequency_penalty", "presence_penalty").contains(e.getKey())) {
                    req.set(e.getKey(), e.getValue());
                }
            });
        }
    }

    static Map<String, Object> usage(LlmCalls.Outcome o) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", o.promptTokens());
        u.put("completion_tokens", o.completionTokens());
        u.put("total_tokens", o.totalTokens());
        return u;
    }

    static Map<String, Object> metadata(LlmCalls.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokens_used", o.totalTokens());
        m.put("processing_time", Math.round(o.elapsedNanos() / 1e6) / 1000.0);
        m.put("cost", o.cost() == null ? BigDecimal.ZERO : o.cost());
        m.put("provider", o.end().provider());
        return m;
    }

    static ObjectNode object(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        if (!body.isObject()) {
            throw ApiException.badRequest("body", "must be a JSON object");
        }
        return (ObjectNode) body;
    }

    private UUID owner() {
        return UUID.fromString(jwt.getSubject());
    }

    private static String requestId() {
        String id = RequestIds.current();
        return id != null ? id : RequestIds.generate();
    }
}
