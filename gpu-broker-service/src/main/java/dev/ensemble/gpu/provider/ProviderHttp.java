package dev.ensemble.gpu.provider;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * JSON over HTTP to a provider's API on the Vert.x client (non-blocking, answers on the caller's
 * context). Transport failures become 502 {@code BAD_GATEWAY}, no answer in time 504
 * {@code UPSTREAM_TIMEOUT}; the caller interprets the status of any answer.
 */
@ApplicationScoped
public class ProviderHttp {

    private static final Logger LOG = Logger.getLogger(ProviderHttp.class);
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @Inject
    Vertx vertx;

    private volatile HttpClient client;

    /** One answer: status and parsed body (an empty object when the body is not JSON). */
    public record Answer(int status, JsonNode json) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public Uni<Answer> call(String provider, HttpMethod method, String url, Map<String, String> headers,
                            Object body, Duration timeout) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url)
                .putHeader("Accept", "application/json");
        headers.forEach(options::putHeader);
        Buffer payload;
        try {
            payload = body == null ? null : Buffer.buffer(JSON.writeValueAsBytes(body));
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
        if (payload != null) {
            options.putHeader("Content-Type", "application/json");
        }
        return Uni.createFrom().deferred(() -> client().request(options)
                        .chain(req -> payload == null ? req.send() : req.send(payload))
                        .chain(resp -> resp.body().map(buf -> new Answer(resp.statusCode(), parse(buf)))))
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException())
                .onFailure(e -> !(e instanceof ApiException)).transform(e -> {
                    if (e instanceof TimeoutException) {
                        return new ApiException(504, ErrorCode.UPSTREAM_TIMEOUT,
                                provider + " did not answer within " + timeout.toMillis() + " ms");
                    }
                    LOG.debugf(e, "%s %s failed", method, url);
                    return new ApiException(502, ErrorCode.BAD_GATEWAY, provider + " could not be reached");
                });
    }

    /** The error every adapter raises for an answer it cannot use. */
    public static ApiException failed(String provider, Answer answer) {
        String msg = answer.json().path("msg").asText(answer.json().path("message").asText(
                answer.json().path("error").asText("")));
        return new ApiException(502, ErrorCode.BAD_GATEWAY, provider + " answered " + answer.status()
                + (msg.isBlank() ? "" : ": " + truncate(msg)));
    }

    private static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static JsonNode parse(Buffer buf) {
        try {
            return buf.length() == 0 ? JSON.createObjectNode() : JSON.readTree(buf.getBytes());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    /** A provider's configured base URL (with or without a trailing slash) joined with {@code path}. */
    static String url(String base, String path) {
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    /** The Vert.x client, for callers (the proxy) that stream or cap bodies themselves. */
    public HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(32)
                            .setConnectTimeout(5000).setVerifyHost(true));
                    client = c;
                }
            }
        }
        return c;
    }

    @PreDestroy
    void close() {
        HttpClient c = client;
        if (c != null) {
            c.closeAndForget();
        }
    }
}
