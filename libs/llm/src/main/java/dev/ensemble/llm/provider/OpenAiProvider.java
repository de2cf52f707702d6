package dev.ensemble.llm.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.llm.wire.ChatCompletion;
import dev.ensemble.llm.wire.ChatCompletionChunk;
import dev.ensemble.llm.wire.ChatCompletionRequest;
import dev.ensemble.llm.wire.Completion;
import dev.ensemble.llm.wire.CompletionRequest;
import dev.ensemble.llm.wire.Json;
import dev.ensemble.llm.wire.ModelList;
import dev.ensemble.llm.wire.Sse;
import dev.ensemble.llm.wire.Usage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of one upstream OpenAI-compatible server on the JDK {@link HttpClient}:
 * {@code POST /chat/completions} and {@code /completions}, non-streamed and streamed (SSE
 * {@code data:} lines ending with {@code [DONE]}), with the provider's timeouts and retries.
 *
 * <p>Retries (exponential back-off with jitter, honouring {@code Retry-After}) happen only for
 * retryable failures (connection refused or broken, 429, 5xx) and only before the first token; once
 * a token reached the listener a failure is reported as {@link LlmException.Kind#STREAM_INTERRUPTED}
 * (or {@code TIMEOUT}) after the tokens already delivered. Streams never block a thread: lines are
 * pushed by the HTTP client and timers run on a shared scheduler.
 *
 * <p>Thread-safe; one instance per provider, sharing one {@link HttpClient} (connection pool).
 */
public final class OpenAiProvider implements ChatBackend {

    private final ProviderConfig config;
    private final HttpClient http;
    private final ScheduledExecutorService timers;

    public OpenAiProvider(ProviderConfig config) {
        this(config, HttpClient.newBuilder().connectTimeout(config.connectTimeout()).version(HttpClient.Version.HTTP_1_1).build());
    }

    public OpenAiProvider(ProviderConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
        this.timers = Timers.shared();
    }

    public ProviderConfig config() {
        return config;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public List<String> models() {
        return config.models();
    }

    @Override
    public ChatCompletion chat(ChatCompletionRequest request) {
        String body = Json.write(request.withModel(config.upstreamModel(request.model())).withStream(false));
        ChatCompletion c = parse(post("/chat/completions", body), ChatCompletion.class);
        return new ChatCompletion(c.id(), c.object(), c.created(), request.model(), c.choices(), c.usage(), c.systemFingerprint());
    }

    @Override
    public Completion complete(CompletionRequest request) {
        String body = Json.write(request.withModel(config.upstreamModel(request.model())).withStream(false));
        Completion c = parse(post("/completions", body), Completion.class);
        return new Completion(c.id(), c.object(), c.created(), request.model(), c.choices(), c.usage());
    }

    @Override
    public StreamHandle streamChat(ChatCompletionRequest request, StreamListener listener) {
        String body = Json.write(request.withModel(config.upstreamModel(request.model())).withStream(true));
        return new UpstreamStream("/chat/completions", body, request.model(), listener, data -> {
            ChatCompletionChunk c = Json.MAPPER.treeToValue(data, ChatCompletionChunk.class);
            return new Piece(c.content(), c.finishReason(), c.usage());
        }).start();
    }

    @Override
    public StreamHandle streamCompletion(CompletionRequest request, StreamListener listener) {
        String body = Json.write(request.withModel(config.upstreamModel(request.model())).withStream(true));
        return new UpstreamStream("/completions", body, request.model(), listener, data -> {
            Completion c = Json.MAPPER.treeToValue(data, Completion.class);
            String text = c.choices() == null || c.choices().isEmpty() ? null : c.choices().get(0).text();
            return new Piece(text, c.finishReason(), c.usage());
        }).start();
    }

    /** {@code GET /models} of the upstream (e.g. for a health check). */
    public ModelList fetchModels() {
        HttpRequest r = request("/models").GET().timeout(config.totalTimeout()).build();
        return parse(send(r), ModelList.class);
    }

    // ---- non-streamed calls --------------------------------------------------------------------

    private String post(String path, String body) {
        HttpRequest r = request(path).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .timeout(config.totalTimeout()).build();
        for (int attempt = 0; ; attempt++) {
            try {
                return send(r);
            } catch (LlmException e) {
                if (!e.retryable() || attempt >= config.maxRetries()) {
                    throw e;
                }
                sleep(backoff(attempt, e));
            }
        }
    }

    private String send(HttpRequest r) {
        CompletableFuture<HttpResponse<String>> f = http.sendAsync(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = f.get(config.totalTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new LlmException(LlmException.Kind.TIMEOUT, name(), name() + ": no answer within " + config.totalTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new LlmException(LlmException.Kind.CANCELLED, name(), "interrupted");
        } catch (ExecutionException e) {
            throw transportError(e.getCause());
        }
        if (response.statusCode() / 100 != 2) {
            throw statusError(response.statusCode(), response.body(), response.headers().firstValue("retry-after").orElse(null));
        }
        return response.body();
    }

    private <T> T parse(String body, Class<T> type) {
        try {
            return Json.MAPPER.readValue(body, type);
        } catch (IOException e) {
            throw new LlmException(LlmException.Kind.UPSTREAM_ERROR, name(), name() + ": unreadable answer", 200, e);
        }
    }

    // ---- streams ---------------------------------------------------------------------------------

    /** What one SSE event carried. */
    private record Piece(String content, String finishReason, Usage usage) {
    }

    @FunctionalInterface
    private interface EventParser {
        Piece parse(JsonNode data) throws IOException;
    }

    /** One streamed call, over one or more attempts (retries before the first token). */
    private final class UpstreamStream implements StreamHandle {
        private final String path;
        private final String body;
        private final String model;
        private final StreamListener listener;
        private final EventParser parser;
        private final CompletableFuture<StreamEnd> done = new CompletableFuture<>();
        private final long startNanos = System.nanoTime();
        private final StringBuilder text = new StringBuilder();

        private int attempt;
        private int pieces;
        private long firstTokenNanos = -1;
        private String finishReason;
        private Usage usage;
        private boolean terminal;
        private CompletableFuture<HttpResponse<String>> exchange;
        private Flow.Subscription subscription;
        private ScheduledFuture<?> firstTokenTimer;
        private ScheduledFuture<?> totalTimer;

        UpstreamStream(String path, String body, String model, StreamListener listener, EventParser parser) {
            this.path = path;
            this.body = body;
            this.model = model;
            this.listener = listener;
            this.parser = parser;
        }

        UpstreamStream start() {
            begin(0);
            return this;
        }

        @Override
        public CompletableFuture<StreamEnd> done() {
            return done;
        }

        @Override
        public synchronized void cancel() {
            if (terminal) {
                return;
            }
            terminal = true; // before abort(): the aborted exchange's callbacks must find the stream ended
            abort();
            finishWith("cancelled");
        }

        private synchronized void begin(int n) {
            if (terminal) {
                return;
            }
            attempt = n;
            finishReason = null;
            usage = null;
            HttpRequest r = request(path).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .header("Accept", Sse.CONTENT_TYPE)
                    .timeout(config.firstTokenTimeout()) // until the response headers
                    .build();
            firstTokenTimer = timers.schedule(() -> fail(n, new LlmException(LlmException.Kind.TIMEOUT, name(),
                    name() + ": no first token within " + config.firstTokenTimeout().toMillis() + " ms")),
                    config.firstTokenTimeout().toMillis(), TimeUnit.MILLISECONDS);
            totalTimer = timers.schedule(() -> fail(n, new LlmException(LlmException.Kind.TIMEOUT, name(),
                    name() + ": the answer did not end within " + config.totalTimeout().toMillis() + " ms")),
                    config.totalTimeout().toMillis(), TimeUnit.MILLISECONDS);
            HttpResponse.BodyHandler<String> handler = info -> info.statusCode() == 200
                    ? HttpResponse.BodySubscribers.fromLineSubscriber(new Lines(n), s -> "", StandardCharsets.UTF_8, null)
                    : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
            exchange = http.sendAsync(r, handler);
            exchange.whenComplete((response, error) -> {
                if (error != null) {
                    fail(n, transportError(error));
                } else if (response.statusCode() != 200) {
                    fail(n, statusError(response.statusCode(), response.body(), response.headers().firstValue("retry-after").orElse(null)));
                }
            });
        }

        /** The SSE lines of attempt {@code n}. */
        private final class Lines implements Flow.Subscriber<String> {
            private final int n;
            private final Sse.Parser sse = new Sse.Parser(this::event);
            private boolean sawDone;

            Lines(int n) {
                this.n = n;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                synchronized (UpstreamStream.this) {
                    if (terminal || attempt != n) {
                        s.cancel();
                        return;
                    }
                    subscription = s;
                }
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                sse.line(line);
            }

            @Override
            public void onError(Throwable t) {
                fail(n, transportError(t));
            }

            @Override
            public void onComplete() {
                sse.end();
                if (!sawDone) {
                    synchronized (UpstreamStream.this) {
                        if (attempt == n && finishReason != null) {
                            succeed(n); // ended without [DONE] but with a finish reason: accept it
                            return;
                        }
                    }
                    fail(n, new LlmException(LlmException.Kind.CONNECT, name(), name() + ": the stream ended before [DONE]"));
                }
            }

            private void event(String data) {
                if (Sse.DONE_DATA.equals(data.strip())) {
                    sawDone = true;
                    succeed(n);
                    return;
                }
                JsonNode node;
                Piece piece;
                try {
                    node = Json.MAPPER.readTree(data);
                    if (node.has("error")) {
                        JsonNode e = node.path("error");
                        String message = e.isObject() ? e.path("message").asText("upstream error") : e.asText();
                        fail(n, new LlmException(LlmException.Kind.UPSTREAM_ERROR, name(), name() + ": " + message));
                        return;
                    }
                    piece = parser.parse(node);
                } catch (IOException | RuntimeException e) {
                    fail(n, new LlmException(LlmException.Kind.UPSTREAM_ERROR, name(), name() + ": unreadable stream event", 200, e));
                    return;
                }
                deliver(n, piece);
            }
        }

        private synchronized void deliver(int n, Piece piece) {
            if (terminal || attempt != n) {
                return;
            }
            if (piece.usage() != null) {
                usage = piece.usage();
            }
            if (piece.finishReason() != null) {
                finishReason = piece.finishReason();
            }
            if (piece.content() != null && !piece.content().isEmpty()) {
                if (pieces == 0) {
                    firstTokenNanos = System.nanoTime();
                    cancelTimer(firstTokenTimer);
                }
                pieces++;
                text.append(piece.content());
                try {
                    listener.onToken(piece.content());
                } catch (RuntimeException consumerFailed) {
                    // the consumer cannot take more (its connection is gone): stop like a cancel
                    terminal = true;
                    abort();
                    terminate(new LlmException(LlmException.Kind.CANCELLED, name(),
                            "the consumer failed: " + consumerFailed.getMessage(), 0, consumerFailed));
                }
            }
        }

        private synchronized void succeed(int n) {
            if (terminal || attempt != n) {
                return;
            }
            terminal = true;
            cancelTimer(firstTokenTimer); // the body ends by itself; its connection goes back to the pool
            cancelTimer(totalTimer);
            finishWith(finishReason == null ? "stop" : finishReason);
        }

        private synchronized void fail(int n, LlmException e) {
            if (terminal || attempt != n) {
                return;
            }
            if (pieces == 0 && e.retryable() && n < config.maxRetries()) {
                attempt = n + 1; // stale callbacks of attempt n (also those abort() causes) are ignored from now on
                abort();
                timers.schedule(() -> begin(n + 1), backoff(n, e).toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            terminal = true;
            abort();
            if (pieces == 0) {
                terminate(e);
                return;
            }
            LlmException mid = e.kind() == LlmException.Kind.TIMEOUT ? e
                    : new LlmException(LlmException.Kind.STREAM_INTERRUPTED, name(),
                            name() + ": the stream broke after " + pieces + " pieces: " + e.getMessage(), e.upstreamStatus(), e);
            terminate(mid);
        }

        private void finishWith(String reason) {
            StreamEnd end = end(reason);
            try {
                listener.onComplete(end);
            } finally {
                done.complete(end);
            }
        }

        private void terminate(LlmException e) {
            StreamEnd end = end(e.kind() == LlmException.Kind.CANCELLED ? "cancelled" : "error");
            try {
                listener.onError(e, end);
            } catch (RuntimeException ignored) {
                // the listener's own failure must not leave the stream unfinished
            } finally {
                done.complete(end);
            }
        }

        private StreamEnd end(String reason) {
            boolean exact = usage != null && !"error".equals(reason) && !"cancelled".equals(reason);
            Usage u = exact ? usage : Usage.of(usage != null ? usage.promptTokens() : 0, pieces);
            return new StreamEnd(name(), model, reason, u, exact, pieces, text.toString(),
                    firstTokenNanos < 0 ? -1 : firstTokenNanos - startNanos);
        }

        private void abort() {
            cancelTimer(firstTokenTimer);
            cancelTimer(totalTimer);
            if (subscription != null) {
                subscription.cancel();
                subscription = null;
            }
            if (exchange != null) {
                exchange.cancel(true);
            }
        }
    }

    // ---- shared helpers --------------------------------------------------------------------------

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.baseUrl() + path))
                .header("Content-Type", "application/json")
                .header("User-Agent", "ensemble-llm");
        if (config.apiKey() != null) {
            b.header("Authorization", "Bearer " + config.apiKey());
        }
        return b;
    }

    private LlmException transportError(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof CancellationException) {
            return new LlmException(LlmException.Kind.CANCELLED, name(), name() + ": cancelled");
        }
        if (c instanceof HttpConnectTimeoutException) {
            return new LlmException(LlmException.Kind.CONNECT, name(), name() + ": connect timed out after "
                    + config.connectTimeout().toMillis() + " ms", 0, c);
        }
        if (c instanceof HttpTimeoutException) {
            return new LlmException(LlmException.Kind.TIMEOUT, name(), name() + ": no response within "
                    + config.firstTokenTimeout().toMillis() + " ms", 0, c);
        }
        if (c instanceof ConnectException) {
            return new LlmException(LlmException.Kind.CONNECT, name(), name() + ": cannot connect to " + config.baseUrl(), 0, c);
        }
        return new LlmException(LlmException.Kind.CONNECT, name(), name() + ": " + c.getClass().getSimpleName()
                + (c.getMessage() == null ? "" : ": " + c.getMessage()), 0, c);
    }

    private LlmException statusError(int status, String body, String retryAfter) {
        String message = upstreamMessage(body);
        String text = name() + " answered " + status + (message == null ? "" : ": " + message);
        LlmException.Kind kind;
        if (status == 400 || status == 413 || status == 422) {
            kind = LlmException.Kind.INVALID_REQUEST;
        } else if (status == 401 || status == 403) {
            kind = LlmException.Kind.UPSTREAM_AUTH;
        } else if (status == 408 || status == 504) {
            kind = LlmException.Kind.TIMEOUT;
        } else if (status == 429) {
            kind = LlmException.Kind.RATE_LIMITED;
        } else {
            kind = LlmException.Kind.UPSTREAM_ERROR;
        }
        LlmException e = new LlmException(kind, name(), text, status, null);
        if (retryAfter != null) {
            e.retryAfterHint = retryAfter;
        }
        return e;
    }

    private static String upstreamMessage(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode m = n.path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
            if (n.path("error").isTextual()) {
                return n.path("error").asText(); // TGI
            }
            if (n.path("detail").isTextual()) {
                return n.path("detail").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: fall through
        }
        return body.length() > 200 ? body.substring(0, 200) : body;
    }

    private Duration backoff(int attempt, LlmException e) {
        long cap = 5_000;
        if (e.retryAfterHint != null) {
            try {
                return Duration.ofMillis(Math.min(cap, Long.parseLong(e.retryAfterHint.strip()) * 1000));
            } catch (NumberFormatException ignored) {
                // an HTTP date: use the exponential delay
            }
        }
        long base = Math.max(1, config.retryBackoff().toMillis()) << Math.min(attempt, 10);
        double jitter = 0.5 + ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.min(cap, (long) (base * jitter)));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new LlmException(LlmException.Kind.CANCELLED, null, "interrupted");
        }
    }

    private static void cancelTimer(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
