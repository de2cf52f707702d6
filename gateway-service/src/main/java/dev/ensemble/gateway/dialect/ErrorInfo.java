package dev.ensemble.gateway.dialect;

import java.util.List;

/**
 * An error as the dialects need it, read from a service's problem+json or made by the gateway:
 * the status, the canonical code, the message, invalid fields, the request id and, for a 429,
 * the seconds to wait.
 */
public record ErrorInfo(int status, String code, String message, Object details, List<Field> fields,
                        String requestId, long retryAfterSeconds) {

    public record Field(String field, String message) {
    }
}
