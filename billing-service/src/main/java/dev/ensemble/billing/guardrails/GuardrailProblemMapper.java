package dev.ensemble.billing.guardrails;

import dev.ensemble.web.Problem;
import dev.ensemble.web.RequestIds;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Answers a {@link GuardrailRefusal} as a 402 problem that also carries the seed's check-response members. */
public class GuardrailProblemMapper {

    @ServerExceptionMapper
    public Response refusal(GuardrailRefusal e, HttpServerRequest request) {
        String requestId = RequestIds.current() != null ? RequestIds.current() : RequestIds.resolve(request.getHeader(RequestIds.HEADER));
        Problem problem = Problem.of(402, e.code(), e.getMessage(), request.path(), requestId, null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.put("instance", problem.instance());
        body.put("code", problem.code());
        body.put("request_id", requestId);
        body.put("error", problem.error());
        body.putAll(e.members());
        body.put("details", e.members());
        return Response.status(402).type(Problem.MEDIA_TYPE).header(RequestIds.HEADER, requestId).entity(body).build();
    }
}
