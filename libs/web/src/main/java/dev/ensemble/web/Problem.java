package dev.ensemble.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * An RFC 9457 problem detail with Ensemble's extra members: {@code code} and {@code request_id},
 * {@code errors} naming each invalid field, and {@code error}/{@code details}, which make the same
 * body a valid AIServe.Farm error ({@code {error, code, details}}) on the {@code /api/v1} paths.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        String code,
        @JsonProperty("request_id") String requestId,
        List<FieldError> errors,
        String error,
        Object details) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid input: where it is and what is wrong with it. */
    public record FieldError(String field, String message) {
    }

    public static Problem of(int status, String code, String detail, String instance, String requestId,
                             List<FieldError> errors) {
        List<FieldError> fields = errors == null || errors.isEmpty() ? null : errors;
        return new Problem("https://ensemble.dev/problems/" + code.toLowerCase().replace('_', '-'),
                Statuses.reason(status), status, detail, instance, code, requestId, fields, detail,
                fields == null ? null : java.util.Map.of("fields", fields));
    }
}
