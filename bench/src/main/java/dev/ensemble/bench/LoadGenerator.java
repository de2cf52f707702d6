package dev.ensemble.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop HTTP load: {@code clients} virtual users, each with its own keep-alive connection,
 * sending the next request as soon as the last answer is read. Runs on one event loop so that the
 * load generator takes at most one core; records every latency (no sampling, no coordinated-omission
 * correction: this is a closed loop, as the budgets are stated).
 */
final class LoadGenerator implements AutoCloseable {

    private static final int MAX_SAMPLES = 20_000_000;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
            .setInternalBlockingPoolSize(1));

    /** What one run measured; latencies in milliseconds. */
    record Result(int clients, long requests, long errors, double seconds, double p50, double p90, double p99,
                  double max) {
        double rps() {
            return requests / seconds;
        }
    }

    Result run(URI target, int clients, Duration warmup, Duration duration) throws Exception {
        return run(target, java.util.Map.of(), clients, warmup, duration);
    }

    /** The same, with these headers on every request (a credential). */
    Result run(URI target, java.util.Map<String, String> headers, int clients, Duration warmup, Duration duration)
            throws Exception {
        return run(target, HttpMethod.GET, headers, null, clients, warmup, duration);
    }

    /** Any method, with these headers and (when not null) this body on every request; 200 counts as success. */
    Result run(URI target, HttpMethod method, java.util.Map<String, String> headers, Buffer body, int clients,
               Duration warmup, Duration duration) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true).setPipelining(false).setTcpNoDelay(true)
                        .setConnectTimeout(5_000).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(clients).setMaxWaitQueueSize(-1));
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setHost(target.getHost())
                .setPort(target.getPort())
                .setURI(target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()))
                .setIdleTimeout(30_000);
        headers.forEach(options::putHeader);
        Run run = new Run(client, options, body, clients, warmup, duration);
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> run.begin());
        Result result = run.done.get(warmup.toSeconds() + duration.toSeconds() + 120, TimeUnit.SECONDS);
        client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return result;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** One measurement; every field is touched only on the generator's event loop. */
    private static final class Run {
        final HttpClient client;
        final RequestOptions options;
        final Buffer body;
        final int clients;
        final long measureFrom;
        final long measureUntil;
        final CompletableFuture<Result> done = new CompletableFuture<>();
        long[] samples = new long[1 << 16];
        int count;
        long errors;
        int idle;

        Run(HttpClient client, RequestOptions options, Buffer body, int clients, Duration warmup, Duration duration) {
            this.client = client;
            this.options = options;
            this.body = body;
            this.clients = clients;
            long now = System.nanoTime();
            this.measureFrom = now + warmup.toNanos();
            this.measureUntil = measureFrom + duration.toNanos();
        }

        void begin() {
            for (int i = 0; i < clients; i++) {
                next();
            }
        }

        void next() {
            long t0 = System.nanoTime();
            if (t0 >= measureUntil) {
                if (++idle == clients) {
                    done.complete(result());
                }
                return;
            }
            client.request(options)
                    .compose(req -> body == null ? req.send() : req.send(body))
                    .compose(resp -> resp.statusCode() == 200 ? resp.body()
                            : resp.body().compose(b -> io.vertx.core.Future.<Buffer>failedFuture("HTTP " + resp.statusCode())))
                    .onComplete(ar -> {
                        long t1 = System.nanoTime();
                        if (t0 >= measureFrom && t1 <= measureUntil) {
                            if (ar.succeeded()) {
                                record(t1 - t0);
                            } else {
                                errors++;
                            }
                        }
                        next();
                    });
        }

        void record(long nanos) {
            if (count == samples.length) {
                if (count >= MAX_SAMPLES) {
                    return;
                }
                samples = Arrays.copyOf(samples, Math.min(MAX_SAMPLES, count * 2));
            }
            samples[count++] = nanos;
        }

        Result result() {
            long[] sorted = Arrays.copyOf(samples, count);
            Arrays.sort(sorted);
            double seconds = (measureUntil - measureFrom) / 1e9;
            return new Result(clients, count, errors, seconds, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99),
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        }

        static double ms(long[] sorted, double quantile) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.ceil(quantile * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }
}
