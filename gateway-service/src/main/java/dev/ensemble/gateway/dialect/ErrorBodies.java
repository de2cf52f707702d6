package dev.ensemble.gateway.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.web.ErrorCode;
import dev.ensemble.web.Problem;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders errors: the canonical problem+json, or a seed's shape. A service's error body is read as
 * problem+json; anything else (an empty body, text) is described from its status alone.
 */
@Singleton
public class ErrorBodies {

    @Inject
    ObjectMapper json;

    /** The gateway's own error as bytes in {@code dialect} (null or AIServe.Farm: problem+json). */
    public byte[] render(Dialect dialect, ErrorInfo e, String path) {
        try {
            if (dialect == null || !dialect.translatesErrors()) {
                List<Problem.FieldError> fields = e.fields() == null ? List.of()
                        : e.fields().stream().map(f -> new Problem.FieldError(f.field(), f.message())).toList();
                return json.writeValueAsBytes(Problem.of(e.status(), e.code(), e.message(), path, e.requestId(), fields));
            }
            return json.writeValueAsBytes(dialect.body(e));
        } catch (Exception ex) {
            throw new IllegalStateException("cannot write an error body", ex);
        }
    }

    /** What a service's error answer says, read from its (problem+json) body. */
    public ErrorInfo read(int status, byte[] body, String requestId, long retryAfter) {
        String code = ErrorCode.forStatus(status);
        String message = Dialect.title(status);
        Object details = null;
        List<ErrorInfo.Field> fields = null;
        try {
            JsonNode n = body.length == 0 ? null : json.readTree(body);
            if (n != null && n.isObject()) {
                code = n.path("code").isTextual() ? n.get("code").asText() : code;
                if (n.path("detail").isTextual()) {
                    message = n.get("detail").asText();
                } else if (n.path("error").isTextual()) {
                    message = n.get("error").asText();
                } else if (n.path("message").isTextual()) {
                    message = n.get("message").asText();
                } else if (n.path("title").isTextual()) {
                    message = n.get("title").asText();
                }
                if (n.path("errors").isArray()) {
                    fields = new ArrayList<>();
                    for (JsonNode f : n.get("errors")) {
                        fields.add(new ErrorInfo.Field(f.path("field").asText(""), f.path("message").asText("")));
                    }
                }
                if (n.path("request_id").isTextual()) {
                    requestId = n.get("request_id").asText();
                }
                details = n.get("details");
            }
        } catch (Exception ignored) {
            // not JSON: the status says it
        }
        return new ErrorInfo(status, code, message, details, fields, requestId, retryAfter);
    }
}
