package dev.ensemble.web;

import io.vertx.core.http.HttpServerRequest;
import org.jboss.logging.MDC;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The {@code X-Request-Id} convention: taken from the request when it is well formed, generated
 * otherwise, put in the logging context, and echoed on the response.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request_id";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    private RequestIds() {
    }

    /** The caller's id when it is safe to log and forward, else a fresh one. */
    public static String resolve(String incoming) {
        return incoming != null && SAFE.matcher(incoming).matches() ? incoming : generate();
    }

    public static String generate() {
        return "req_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** The id of the request being served (set by {@link RequestIdFilter}), or null outside one. */
    public static String current() {
        Object id = MDC.get(MDC_KEY);
        return id == null ? null : id.toString();
    }

    static String of(HttpServerRequest request) {
        return resolve(request.getHeader(HEADER));
    }
}
