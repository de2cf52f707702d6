package dev.ensemble.gateway.dialect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The seeds whose paths the gateway serves, each with its error body. Services answer errors as
 * the canonical problem+json (whose {@code error}, {@code code} and {@code details} members are
 * already AIServe.Farm's shape); the gateway renders the others from it.
 */
public enum Dialect {
    /** AIServe.Farm (seed 004): the canonical API itself; problem+json carries {error, code, details}. */
    AISERVE("aiserve", Map.of()) {
        @Override
        public boolean translatesErrors() {
            return false;
        }

        @Override
        ObjectNode body(ErrorInfo e) {
            throw new UnsupportedOperationException("the canonical problem+json is AIServe.Farm's shape");
        }
    },
    /** Ai-semble (seed 000): {@code {error: {code, message, details, request_id, timestamp}}}. */
    AISEMBLE("aisemble", Map.ofEntries(
            Map.entry("AUTH_REQUIRED", "AUTHENTICATION_REQUIRED"), Map.entry("INVALID_TOKEN", "AUTHENTICATION_REQUIRED"),
            Map.entry("TOKEN_EXPIRED", "AUTHENTICATION_REQUIRED"), Map.entry("INVALID_API_KEY", "AUTHENTICATION_REQUIRED"),
            Map.entry("AUTH_INVALID", "AUTHENTICATION_REQUIRED"), Map.entry("FORBIDDEN", "INSUFFICIENT_PERMISSIONS"),
            Map.entry("NOT_FOUND", "RESOURCE_NOT_FOUND"), Map.entry("VALIDATION_ERROR", "INVALID_REQUEST"),
            Map.entry("MALFORMED_JSON", "INVALID_REQUEST"), Map.entry("UNSUPPORTED_MEDIA_TYPE", "INVALID_REQUEST"),
            Map.entry("PAYLOAD_TOO_LARGE", "INVALID_REQUEST"), Map.entry("RATE_LIMITED", "RATE_LIMIT_EXCEEDED"),
            Map.entry("SPENDING_LIMIT", "QUOTA_EXCEEDED"), Map.entry("INSUFFICIENT_CREDITS", "QUOTA_EXCEEDED"),
            Map.entry("UPSTREAM_TIMEOUT", "SERVICE_UNAVAILABLE"), Map.entry("BAD_GATEWAY", "SERVICE_UNAVAILABLE"))) {
        @Override
        ObjectNode body(ErrorInfo e) {
            ObjectNode error = F.objectNode();
            error.put("code", code(e.code()));
            error.put("message", e.message());
            error.set("details", details(e));
            error.put("request_id", e.requestId());
            error.put("timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            ObjectNode body = F.objectNode();
            body.set("error", error);
            return body;
        }
    },
    /** AI Orchestra (seed 001): {@code {success: false, data: null, error: {code, message, details}}}. */
    ORCHESTRA("orchestra", Map.ofEntries(
            Map.entry("AUTH_REQUIRED", "AUTHENTICATION_ERROR"), Map.entry("INVALID_TOKEN", "AUTHENTICATION_ERROR"),
            Map.entry("TOKEN_EXPIRED", "AUTHENTICATION_ERROR"), Map.entry("INVALID_API_KEY", "AUTHENTICATION_ERROR"),
            Map.entry("AUTH_INVALID", "AUTHENTICATION_ERROR"), Map.entry("RATE_LIMITED", "RATE_LIMIT_ERROR"),
            Map.entry("MALFORMED_JSON", "VALIDATION_ERROR"), Map.entry("UPSTREAM_TIMEOUT", "TIMEOUT_ERROR"),
            Map.entry("BAD_GATEWAY", "SERVICE_UNAVAILABLE"))) {
        @Override
        ObjectNode body(ErrorInfo e) {
            ObjectNode error = F.objectNode();
            error.put("code", code(e.code()));
            error.put("message", e.message());
            error.set("details", details(e));
            error.put("request_id", e.requestId());
            ObjectNode body = F.objectNode();
            body.put("success", false);
            body.putNull("data");
            body.set("error", error);
            return body;
        }
    },
    /** AIMOS (seed 002): FastAPI's {@code {detail}}, plus {type, errors} on a 400 and {retry_after} on a 429. */
    AIMOS("aimos", Map.of()) {
        @Override
        ObjectNode body(ErrorInfo e) {
            ObjectNode body = F.objectNode();
            body.put("detail", e.message());
            if (e.fields() != null && !e.fields().isEmpty()) {
                body.put("type", "validation_error");
                body.set("errors", fields(e));
            }
            if (e.status() == 429) {
                body.put("retry_after", e.retryAfterSeconds());
            }
            if (e.status() >= 500) {
                body.put("error_id", e.requestId());
            }
            body.put("code", e.code());
            return body;
        }
    },
    /**
     * The OpenAI API ({@code /v1}): {@code {error: {message, type, param, code}}}, the shape every
     * OpenAI client library parses. Only the gateway's own answers (401, 429, 502, 504, ...) are
     * rendered here: inference-service already answers {@code /v1} errors in this shape, so a
     * service's error passes through untouched.
     */
    OPENAI("openai", Map.ofEntries(
            Map.entry("AUTH_REQUIRED", "missing_api_key"), Map.entry("INVALID_TOKEN", "invalid_api_key"),
            Map.entry("TOKEN_EXPIRED", "invalid_api_key"), Map.entry("INVALID_API_KEY", "invalid_api_key"),
            Map.entry("AUTH_INVALID", "invalid_api_key"), Map.entry("RATE_LIMITED", "rate_limit_exceeded"),
            Map.entry("NOT_FOUND", "not_found"), Map.entry("PAYLOAD_TOO_LARGE", "request_too_large"),
            Map.entry("SPENDING_LIMIT", "insufficient_quota"), Map.entry("INSUFFICIENT_CREDITS", "insufficient_quota"),
            Map.entry("UPSTREAM_TIMEOUT", "timeout"), Map.entry("BAD_GATEWAY", "bad_gateway"),
            Map.entry("SERVICE_UNAVAILABLE", "service_unavailable"))) {
        @Override
        public boolean translatesUpstreamErrors() {
            return false;
        }

        @Override
        ObjectNode body(ErrorInfo e) {
            ObjectNode error = F.objectNode();
            error.put("message", e.message());
            error.put("type", switch (e.status()) {
                case 401 -> "authentication_error";
                case 402 -> "insufficient_quota";
                case 429 -> "rate_limit_error";
                case 403 -> "permission_error";
                case 404 -> "not_found_error";
                default -> e.status() >= 500 ? "server_error" : "invalid_request_error";
            });
            if (e.fields() != null && !e.fields().isEmpty()) {
                error.put("param", e.fields().get(0).field());
            } else {
                error.putNull("param");
            }
            error.put("code", code(e.code()).toLowerCase(java.util.Locale.ROOT));
            ObjectNode body = F.objectNode();
            body.set("error", error);
            return body;
        }
    },
    /** AI Job Queue (seed 003): {@code {error, detail, status_code}}. */
    JOBQUEUE("jobqueue", Map.of()) {
        @Override
        ObjectNode body(ErrorInfo e) {
            ObjectNode body = F.objectNode();
            body.put("error", title(e.status()));
            body.put("detail", e.message());
            body.put("status_code", e.status());
            body.put("code", e.code());
            return body;
        }
    };

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String header;
    private final Map<String, String> codes;

    Dialect(String header, Map<String, String> codes) {
        this.header = header;
        this.codes = codes;
    }

    /** The value of {@code X-Ensemble-Dialect}. */
    public String header() {
        return header;
    }

    /** Whether this dialect's error bodies differ from the canonical problem+json. */
    public boolean translatesErrors() {
        return true;
    }

    /** Whether a service's error answer is rewritten in this dialect (not only the gateway's own). */
    public boolean translatesUpstreamErrors() {
        return translatesErrors();
    }

    /** The dialect named by {@code X-Ensemble-Dialect}, or null. */
    public static Dialect named(String name) {
        for (Dialect d : values()) {
            if (d.header.equalsIgnoreCase(name)) {
                return d;
            }
        }
        return null;
    }

    /** The error body of this dialect. */
    abstract ObjectNode body(ErrorInfo e);

    /** The seed's name for a canonical code. */
    String code(String canonical) {
        return canonical == null ? "INTERNAL_ERROR" : codes.getOrDefault(canonical, canonical);
    }

    static com.fasterxml.jackson.databind.JsonNode details(ErrorInfo e) {
        ObjectNode details = F.objectNode();
        if (e.fields() != null && !e.fields().isEmpty()) {
            ErrorInfo.Field first = e.fields().get(0);
            details.put("field", first.field());
            details.put("reason", first.message());
            details.set("fields", fields(e));
        }
        if (e.status() == 429) {
            details.put("retry_after", e.retryAfterSeconds());
        }
        return details;
    }

    static ArrayNode fields(ErrorInfo e) {
        ArrayNode list = F.arrayNode();
        for (ErrorInfo.Field f : e.fields()) {
            list.addObject().put("field", f.field()).put("message", f.message());
        }
        return list;
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment required";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 413 -> "Payload too large";
            case 422 -> "Validation error";
            case 429 -> "Rate limit exceeded";
            case 502 -> "Bad gateway";
            case 503 -> "Service unavailable";
            case 504 -> "Gateway timeout";
            default -> status >= 500 ? "Internal server error" : "Request failed";
        };
    }
}
