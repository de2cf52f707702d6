package dev.ensemble.web;

import jakarta.ws.rs.core.Response;

/** Reason phrases for statuses, including the few JAX-RS does not name. */
public final class Statuses {
    private Statuses() {
    }

    public static String reason(int status) {
        return switch (status) {
            case 402 -> "Payment Required";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            default -> {
                Response.Status s = Response.Status.fromStatusCode(status);
                yield s == null ? "Error" : s.getReasonPhrase();
            }
        };
    }
}
