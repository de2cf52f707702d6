package dev.ensemble.inference.serving;

/** Why the engine could not take or finish a request. */
public class ServingException extends RuntimeException {

    public enum Reason {
        /** The model's queue is full: the caller should retry later. */
        OVERLOADED,
        /** The model is not registered. */
        UNKNOWN_MODEL,
        /** The model failed to load, or was unloaded while the request waited. */
        NOT_LOADED,
        /** The model rejected the input (shape or type); a caller error. */
        BAD_INPUT,
        /** The runtime failed. */
        FAILED
    }

    private final Reason reason;

    public ServingException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public ServingException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
