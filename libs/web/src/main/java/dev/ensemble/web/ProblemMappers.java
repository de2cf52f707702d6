package dev.ensemble.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Turns every failure a REST resource can raise into one problem+json answer. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response apiException(ApiException e, ContainerRequestContext ctx, HttpServerRequest req) {
        Response response = respond(ctx, req, e.status(), e.code(), e.getMessage(), e.errors());
        e.headers().forEach((name, value) -> response.getHeaders().putSingle(name, value));
        return response;
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, ContainerRequestContext ctx,
                                        HttpServerRequest req) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        String detail = errors.stream().map(f -> f.field() + ": " + f.message())
                .collect(Collectors.joining("; "));
        return respond(ctx, req, 400, ErrorCode.VALIDATION_ERROR, detail, errors);
    }

    /** Quarkus ships mappers for these that answer an empty 400; ours name the field. */
    @ServerExceptionMapper({MismatchedInputException.class, InvalidFormatException.class,
            UnrecognizedPropertyException.class, JsonParseException.class, JsonMappingException.class})
    public Response jsonSpecific(JsonProcessingException e, ContainerRequestContext ctx, HttpServerRequest req) {
        return json(e, ctx, req);
    }

    @ServerExceptionMapper({JsonProcessingException.class})
    public Response json(JsonProcessingException e, ContainerRequestContext ctx, HttpServerRequest req) {
        if (e instanceof JsonParseException || !(e instanceof JsonMappingException mapping)) {
            return respond(ctx, req, 400, ErrorCode.MALFORMED_JSON,
                    "request body is not valid JSON: " + e.getOriginalMessage(), List.of());
        }
        String field = pathOf(mapping);
        String message;
        if (e instanceof UnrecognizedPropertyException u) {
            message = "unknown field";
            field = field.isEmpty() ? u.getPropertyName() : field;
        } else if (e instanceof InvalidFormatException f) {
            message = "expected " + simpleType(f.getTargetType()) + " but got " + describe(f.getValue());
        } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            message = "expected " + simpleType(m.getTargetType());
        } else {
            message = "invalid value";
        }
        String name = field.isEmpty() ? "body" : field;
        return respond(ctx, req, 400, ErrorCode.VALIDATION_ERROR, name + ": " + message,
                List.of(new Problem.FieldError(name, message)));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, ContainerRequestContext ctx, HttpServerRequest req) {
        return respond(ctx, req, 401, ErrorCode.AUTH_REQUIRED, "authentication required", List.of());
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, ContainerRequestContext ctx,
                                         HttpServerRequest req) {
        return respond(ctx, req, 401, ErrorCode.INVALID_TOKEN, "the token is invalid or expired", List.of());
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext ctx, HttpServerRequest req) {
        return respond(ctx, req, 403, ErrorCode.FORBIDDEN, "not allowed for this account", List.of());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, ContainerRequestContext ctx, HttpServerRequest req) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException jpe) {
            return json(jpe, ctx, req);
        }
        String detail = switch (status) {
            case 404 -> "no resource at " + req.path();
            case 405 -> req.method() + " is not allowed on " + req.path();
            case 415 -> "unsupported content type " + req.getHeader("Content-Type");
            case 406 -> "cannot produce an acceptable representation";
            case 413 -> "request body too large";
            default -> status >= 500 ? "internal error" : safeMessage(e.getMessage(), status);
        };
        if (status >= 500) {
            LOG.errorf(e, "request %s %s failed", req.method(), req.path());
        }
        return respond(ctx, req, status, ErrorCode.forStatus(status), detail, List.of());
    }

    @ServerExceptionMapper
    public Response anything(Throwable e, ContainerRequestContext ctx, HttpServerRequest req) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof ApiException api) {
                return apiException(api, ctx, req);
            }
            if (root instanceof JsonProcessingException json) {
                return json(json, ctx, req);
            }
            root = root.getCause();
        }
        if (root instanceof ApiException api) {
            return apiException(api, ctx, req);
        }
        if (isUniqueViolation(e)) {
            // Two concurrent requests raced past a uniqueness check; the database kept one.
            return respond(ctx, req, 409, ErrorCode.CONFLICT, "a resource with these values already exists",
                    List.of());
        }
        LOG.errorf(e, "request %s %s failed", req.method(), req.path());
        return respond(ctx, req, 500, ErrorCode.INTERNAL_ERROR,
                "internal error; quote the request id when reporting it", List.of());
    }

    /** PostgreSQL's unique_violation (SQLSTATE 23505), however the driver or Hibernate wrapped it. */
    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("23505")) {
                return true;
            }
            if (t.getCause() == null) {
                break;
            }
        }
        return false;
    }

    static Response respond(ContainerRequestContext ctx, HttpServerRequest req, int status, String code,
                            String detail, List<Problem.FieldError> errors) {
        String requestId = RequestIdFilter.idOf(ctx, req);
        Problem problem = Problem.of(status, code, detail, req.path(), requestId, errors);
        return Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .header(RequestIds.HEADER, requestId)
                .entity(problem)
                .build();
    }

    private static String fieldOf(ConstraintViolation<?> v) {
        // "register.request.email" -> "email": drop the method and parameter segments.
        String path = v.getPropertyPath().toString();
        List<String> parts = new ArrayList<>(List.of(path.split("\\.")));
        if (parts.size() > 2) {
            parts = parts.subList(2, parts.size());
        } else if (parts.size() == 2) {
            parts = parts.subList(1, 2);
        }
        return snake(String.join(".", parts));
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String snake(String s) {
        return s.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "a value";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == String.class || type.isEnum()) {
            return type.isEnum() ? "one of " + List.of(type.getEnumConstants()) : "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 timestamp";
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        return "an object";
    }

    private static String describe(Object value) {
        String s = String.valueOf(value);
        return s.length() > 40 ? "'" + s.substring(0, 40) + "...'" : "'" + s + "'";
    }

    private static String safeMessage(String message, int status) {
        if (message == null || message.startsWith("HTTP ") || message.contains("Exception")) {
            return Statuses.reason(status);
        }
        return message.length() > 300 ? message.substring(0, 300) : message;
    }
}
