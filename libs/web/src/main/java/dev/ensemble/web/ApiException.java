package dev.ensemble.web;

import java.util.List;

/** A failure a resource or service wants answered as a problem with a given status and code. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final transient List<Problem.FieldError> errors;
    private final transient java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public ApiException(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    public ApiException(int status, String code, String message, List<Problem.FieldError> errors) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.errors = errors;
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, ErrorCode.NOT_FOUND, what + " not found");
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, ErrorCode.VALIDATION_ERROR, field + ": " + message,
                List.of(new Problem.FieldError(field, message)));
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, ErrorCode.CONFLICT, message);
    }

    /** Adds a response header to the problem answer (e.g. {@code Retry-After}). */
    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
