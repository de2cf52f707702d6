package dev.ensemble.inference.rest;

import dev.ensemble.inference.Model;
import dev.ensemble.inference.serving.ServingException;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;

/** The answer for each way the engine can refuse or fail a request. */
public final class ServingErrors {

    public static final String MODEL_NOT_LOADED = "MODEL_NOT_LOADED";
    static final String MODEL_ERROR = "MODEL_ERROR";

    private ServingErrors() {
    }

    /** {@code m}, when it can serve; a model that failed to load is a 422 with its reason. */
    public static Model servable(Model m) {
        if (Model.FAILED.equals(m.status)) {
            throw new ApiException(422, MODEL_NOT_LOADED, "model failed to load: " + m.error);
        }
        return m;
    }

    public static Throwable map(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (!(t instanceof ServingException se)) {
            return t;
        }
        return switch (se.reason()) {
            case OVERLOADED -> new ApiException(503, ErrorCode.SERVICE_UNAVAILABLE, se.getMessage())
                    .withHeader("Retry-After", "1");
            case UNKNOWN_MODEL -> ApiException.notFound("model");
            case NOT_LOADED -> new ApiException(422, MODEL_NOT_LOADED, se.getMessage());
            case BAD_INPUT -> new ApiException(400, ErrorCode.VALIDATION_ERROR, se.getMessage());
            case FAILED -> new ApiException(422, MODEL_ERROR, "the model could not run this input: " + se.getMessage());
        };
    }
}
