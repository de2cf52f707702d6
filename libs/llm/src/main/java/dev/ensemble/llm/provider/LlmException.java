package dev.ensemble.llm.provider;

/**
 * A failure of a chat or completion call, with what a caller needs to decide: the HTTP status to
 * answer with, whether the same provider may be retried and whether another provider may be tried.
 * Retries and failover only ever happen before the first token reached the consumer.
 */
public final class LlmException extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** The request itself is wrong (400); retrying cannot help. */
        INVALID_REQUEST(400, false, false),
        /** The prompt does not fit the model (400). */
        PROMPT_TOO_LONG(400, false, false),
        /** No backend serves the model (404). */
        UNKNOWN_MODEL(404, false, false),
        /** The upstream said 429. */
        RATE_LIMITED(429, true, true),
        /** The upstream refused our credentials (401/403): a configuration problem of that provider. */
        UPSTREAM_AUTH(502, false, true),
        /** The upstream answered 5xx, or something unusable. */
        UPSTREAM_ERROR(502, true, true),
        /** Could not connect, or the connection broke before the first token. */
        CONNECT(502, true, true),
        /** No first token, or no end, in time. */
        TIMEOUT(504, false, true),
        /** The stream failed after tokens were delivered; the consumer has a partial answer. */
        STREAM_INTERRUPTED(502, false, false),
        /** Every provider for the model failed or is overloaded (503). */
        UNAVAILABLE(503, false, false),
        /** The consumer cancelled. */
        CANCELLED(499, false, false);

        private final int status;
        private final boolean retryable;
        private final boolean failover;

        Kind(int status, boolean retryable, boolean failover) {
            this.status = status;
            this.retryable = retryable;
            this.failover = failover;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final String provider;
    private final int upstreamStatus;
    /** The upstream's Retry-After header, for the back-off of the next attempt. */
    String retryAfterHint;

    public LlmException(Kind kind, String provider, String message) {
        this(kind, provider, message, 0, null);
    }

    public LlmException(Kind kind, String provider, String message, int upstreamStatus, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.provider = provider;
        this.upstreamStatus = upstreamStatus;
    }

    public Kind kind() {
        return kind;
    }

    /** The provider (backend name) that failed, or null. */
    public String provider() {
        return provider;
    }

    /** The upstream HTTP status, or 0. */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    /** The status a service should answer with. */
    public int httpStatus() {
        return kind.status;
    }

    /** Whether the same provider may be asked again (before the first token only). */
    public boolean retryable() {
        return kind.retryable;
    }

    /** Whether another provider serving the model may be asked (before the first token only). */
    public boolean failover() {
        return kind.failover;
    }

    /** The OpenAI {@code error.type} for this failure. */
    public String openAiType() {
        return switch (kind) {
            case INVALID_REQUEST, PROMPT_TOO_LONG, UNKNOWN_MODEL -> "invalid_request_error";
            case RATE_LIMITED -> "rate_limit_error";
            case TIMEOUT -> "timeout";
            default -> "server_error";
        };
    }

    /** The OpenAI {@code error.code} for this failure. */
    public String openAiCode() {
        return switch (kind) {
            case UNKNOWN_MODEL -> "model_not_found";
            case PROMPT_TOO_LONG -> "context_length_exceeded";
            case RATE_LIMITED -> "rate_limit_exceeded";
            case TIMEOUT -> "timeout";
            case STREAM_INTERRUPTED -> "stream_interrupted";
            case UNAVAILABLE -> "unavailable";
            case CANCELLED -> "cancelled";
            case INVALID_REQUEST -> "invalid_value";
            default -> "upstream_error";
        };
    }
}
