package dev.ensemble.llm.wire;

/**
 * A request that breaks the OpenAI contract: map it to HTTP 400 with {@link #param()} as the
 * offending field (OpenAI's {@code error.param}) and {@link #code()} as {@code error.code}.
 */
public final class WireValidationException extends IllegalArgumentException {

    private final String param;
    private final String code;

    public WireValidationException(String param, String message) {
        this(param, message, "invalid_value");
    }

    public WireValidationException(String param, String message, String code) {
        super(message);
        this.param = param;
        this.code = code;
    }

    /** The field, as a JSON path such as {@code messages[1].role}; null for the body as a whole. */
    public String param() {
        return param;
    }

    /** A stable machine code: {@code invalid_value}, {@code missing_required_parameter}, {@code invalid_type}, {@code invalid_json}. */
    public String code() {
        return code;
    }

    /** The OpenAI error body for this exception. */
    public ErrorResponse toError() {
        return ErrorResponse.of(getMessage(), "invalid_request_error", param, code);
    }
}
