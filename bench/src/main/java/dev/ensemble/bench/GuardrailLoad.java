package dev.ensemble.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop reserve-then-release load on billing-service's guardrails: each virtual client, with
 * its own keep-alive connection and its own bearer token (one shared user, or one user per
 * client), reserves an amount ({@code POST /api/v1/guardrails/spending/reserve}, measured) and then
 * releases it ({@code POST .../reservations/{id}/release}, measured separately), so holds never pile
 * up and a limit is never reached. One event loop; every latency recorded.
 */
final class GuardrailLoad implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
            .setInternalBlockingPoolSize(1));

    /** Latencies in milliseconds; {@code refused} counts 402 answers (a limit or credit refusal). */
    record Result(int clients, long reserves, long releases, long refused, long errors, double seconds,
                  double p50, double p99, double max, double releaseP50, double releaseP99) {
        double reservesPerSecond() {
            return reserves / seconds;
        }
    }

    Result run(URI billing, List<String> tokens, int clients, Duration warmup, Duration duration) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(5_000).setIdleTimeout(0)
                        .setDefaultHost(billing.getHost()).setDefaultPort(billing.getPort()),
                new PoolOptions().setHttp1MaxSize(clients).setMaxWaitQueueSize(-1));
        Run run = new Run(client, tokens, clients, warmup, duration);
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> run.begin());
        Result result = run.done.get(warmup.toSeconds() + duration.toSeconds() + 180, TimeUnit.SECONDS);
        client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return result;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static final class Run {
        static final String RESERVE = "/api/v1/guardrails/spending/reserve";
        static final Buffer BODY = Buffer.buffer("{\"amount\":\"0.01\",\"currency\":\"USD\",\"purpose\":\"bench\",\"ttl_seconds\":60}");
        final HttpClient client;
        final List<String> tokens;
        final int clients;
        final long measureFrom;
        final long measureUntil;
        final CompletableFuture<Result> done = new CompletableFuture<>();
        final Samples reserves = new Samples();
        final Samples releases = new Samples();
        long refused;
        long errors;
        int idle;

        Run(HttpClient client, List<String> tokens, int clients, Duration warmup, Duration duration) {
            this.client = client;
            this.tokens = tokens;
            this.clients = clients;
            long now = System.nanoTime();
            this.measureFrom = now + warmup.toNanos();
            this.measureUntil = measureFrom + duration.toNanos();
        }

        void begin() {
            for (int i = 0; i < clients; i++) {
                next(i);
            }
        }

        void next(int c) {
            long t0 = System.nanoTime();
            if (t0 >= measureUntil) {
                if (++idle == clients) {
                    done.complete(result());
                }
                return;
            }
            String auth = "Bearer " + tokens.get(c % tokens.size());
            post(RESERVE, auth, BODY).onComplete(ar -> {
                long t1 = System.nanoTime();
                boolean measured = t0 >= measureFrom && t1 <= measureUntil;
                if (ar.failed()) {
                    if (measured) {
                        errors++;
                    }
                    next(c);
                    return;
                }
                Answer a = ar.result();
                if (a.status == 402) {
                    if (measured) {
                        reserves.add(t1 - t0);
                        refused++;
                    }
                    next(c);
                    return;
                }
                if (a.status != 201) {
                    if (measured) {
                        errors++;
                    }
                    next(c);
                    return;
                }
                if (measured) {
                    reserves.add(t1 - t0);
                }
                String id = new JsonObject(a.body).getString("reservation_id");
                long t2 = System.nanoTime();
                post("/api/v1/guardrails/spending/reservations/" + id + "/release", auth, Buffer.buffer("{}"))
                        .onComplete(rr -> {
                            long t3 = System.nanoTime();
                            if (t2 >= measureFrom && t3 <= measureUntil) {
                                if (rr.succeeded() && rr.result().status == 200) {
                                    releases.add(t3 - t2);
                                } else {
                                    errors++;
                                }
                            }
                            next(c);
                        });
            });
        }

        record Answer(int status, Buffer body) {
        }

        Future<Answer> post(String path, String auth, Buffer body) {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                    .putHeader("Authorization", auth).putHeader("Content-Type", "application/json")
                    .setIdleTimeout(30_000);
            return client.request(options).compose(req -> req.send(body))
                    .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)));
        }

        Result result() {
            double seconds = (measureUntil - measureFrom) / 1e9;
            long[] r = reserves.sorted();
            long[] l = releases.sorted();
            return new Result(clients, r.length, l.length, refused, errors, seconds, ms(r, 0.50), ms(r, 0.99),
                    r.length == 0 ? 0 : r[r.length - 1] / 1e6, ms(l, 0.50), ms(l, 0.99));
        }

        static double ms(long[] sorted, double quantile) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.ceil(quantile * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }

    private static final class Samples {
        long[] values = new long[1 << 14];
        int count;

        void add(long nanos) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = nanos;
        }

        long[] sorted() {
            long[] s = Arrays.copyOf(values, count);
            Arrays.sort(s);
            return s;
        }
    }
}
