package dev.ensemble.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streaming chat: time to the first token and tokens per second from the bundled local model,
 * straight to inference-service (8082) and through the gateway (8080), over SSE
 * ({@code /v1/chat/completions}) and WebSocket ({@code /chat/ws/...}), at 1 and 16 concurrent
 * streams; then how many WebSocket sessions stay open at once (each answering a ping). Runs against
 * a suite that is already up; writes a markdown table.
 */
public final class LlmBench {

    static final String MODEL = "ensemble-fables-lstm";

    private LlmBench() {
    }

    record Sample(long ttftNanos, long totalNanos, int tokens, boolean ok) {
    }

    record Summary(String target, String transport, int streams, int requests, int failed, double ttftP50, double ttftP99,
                   double tokensPerSecondPerStream, double aggregateTokensPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        String gateway = "http://localhost:8080";
        String direct = "http://localhost:8082";
        List<Integer> streams = List.of(1, 16);
        int perStream = 8;
        int maxTokens = 64;
        int wsSessions = 1000;
        Path out = Path.of("bench/results/llm.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help" -> {
                    System.out.println("""
                            llm: time to first token and tokens/s of the bundled model, direct and through the gateway,
                            over SSE and WebSocket, then concurrent open WebSocket sessions. Needs a running suite.
                              --gateway URL        default http://localhost:8080
                              --direct URL         inference-service, default http://localhost:8082
                              --streams 1,16       concurrent streams per step
                              --requests 8         streams each concurrent client runs one after another
                              --max-tokens 64      tokens per answer
                              --ws-sessions 1000   WebSocket sessions opened and held at once (0 skips)
                              --out PATH           markdown results (default bench/results/llm.md)""");
                    return;
                }
                case "--gateway" -> gateway = args[++i];
                case "--direct" -> direct = args[++i];
                case "--streams" -> {
                    List<Integer> s = new ArrayList<>();
                    for (String p : args[++i].split(",")) {
                        s.add(Integer.parseInt(p.trim()));
                    }
                    streams = s;
                }
                case "--requests" -> perStream = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--ws-sessions" -> wsSessions = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--help)");
            }
        }
        Credentials who = Credentials.create(gateway);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        awaitModel(http, gateway, who.jwt());
        // warm-up: a few streams each way, not measured
        runSse(http, direct, who.jwt(), 2, 2, maxTokens, "direct");
        runSse(http, gateway, who.jwt(), 2, 2, maxTokens, "gateway");

        List<Summary> rows = new ArrayList<>();
        for (int n : streams) {
            rows.add(runSse(http, direct, who.jwt(), n, perStream, maxTokens, "direct (8082)"));
            rows.add(runSse(http, gateway, who.jwt(), n, perStream, maxTokens, "gateway (8080)"));
            rows.add(runWs(http, wsBase(direct) + "/api/v1/chat/ws", who.jwt(), n, perStream, maxTokens, "direct (8082)"));
            rows.add(runWs(http, wsBase(gateway) + "/chat/ws", who.jwt(), n, perStream, maxTokens, "gateway (8080)"));
        }
        rows.forEach(r -> System.out.println(r));
        int[] held = wsSessions > 0 ? holdSessions(http, wsBase(gateway) + "/chat/ws", who.jwt(), wsSessions) : new int[] {0, 0};
        System.out.printf("websocket sessions: %d opened, %d answered a ping while all were open%n", held[0], held[1]);
        write(out, rows, wsSessions, held, maxTokens, perStream);
    }

    private static String wsBase(String http) {
        return http.replaceFirst("^http", "ws");
    }

    private static void awaitModel(HttpClient http, String gateway, String jwt) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/models"))
                    .header("Authorization", "Bearer " + jwt).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().contains(MODEL)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the model did not become ready: " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(2000);
        }
    }

    // --- SSE ---

    static Summary runSse(HttpClient http, String base, String jwt, int clients, int perClient, int maxTokens, String target)
            throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],"
                + "\"max_tokens\":" + maxTokens + ",\"stream\":true}";
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        parallel(clients, () -> {
            for (int i = 0; i < perClient; i++) {
                samples.add(sse(http, base, jwt, body));
            }
        });
        return summarize(target, "SSE", clients, samples, System.nanoTime() - t0);
    }

    static Sample sse(HttpClient http, String base, String jwt, String body) {
        long start = System.nanoTime();
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + jwt).header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                return new Sample(0, 0, 0, false);
            }
            long first = -1;
            int tokens = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("data:") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                        if (first < 0) {
                            first = System.nanoTime() - start;
                        }
                        tokens++;
                    }
                }
            }
            return new Sample(first, System.nanoTime() - start, tokens, first >= 0);
        } catch (Exception e) {
            return new Sample(0, 0, 0, false);
        }
    }

    // --- WebSocket ---

    static Summary runWs(HttpClient http, String wsPrefix, String jwt, int clients, int perClient, int maxTokens, String target)
            throws Exception {
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        String message = "{\"type\":\"stream\",\"data\":{\"message\":\"Tell me a story.\",\"use_memory\":false,"
                + "\"optimization_mode\":\"lite\"}}";
        long t0 = System.nanoTime();
        parallel(clients, () -> {
            WsClient c = new WsClient();
            try {
                c.connect(http, wsPrefix + "/bench-" + UUID.randomUUID() + "/bench-" + UUID.randomUUID() + "?access_token=" + jwt);
                c.next(30_000); // connected
                for (int i = 0; i < perClient; i++) {
                    long start = System.nanoTime();
                    c.ws.sendText(message, true).join();
                    long first = -1;
                    int tokens = 0;
                    boolean ok = false;
                    while (true) {
                        String m = c.next(120_000);
                        if (m == null) {
                            break;
                        }
                        if (m.startsWith("{\"type\":\"stream\"")) {
                            if (first < 0) {
                                first = System.nanoTime() - start;
                            }
                            tokens++;
                        } else if (m.startsWith("{\"type\":\"chat\"")) {
                            ok = first >= 0;
                            break;
                        } else if (m.startsWith("{\"type\":\"error\"")) {
                            break;
                        }
                    }
                    samples.add(new Sample(first, System.nanoTime() - start, tokens, ok));
                }
                c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
            } catch (Exception e) {
                samples.add(new Sample(0, 0, 0, false));
            }
        });
        return summarize(target, "WebSocket", clients, samples, System.nanoTime() - t0);
    }

    /** Opens {@code n} sessions, then pings every one while all are open. Returns {opened, answered}. */
    static int[] holdSessions(HttpClient http, String wsPrefix, String jwt, int n) throws Exception {
        List<WsClient> open = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            pool.execute(() -> {
                try {
                    WsClient c = new WsClient();
                    c.connect(http, wsPrefix + "/hold-" + UUID.randomUUID() + "/hold-" + UUID.randomUUID() + "?access_token=" + jwt);
                    if (c.next(30_000) != null) {
                        open.add(c);
                    }
                } catch (Exception ignored) {
                    // counted as not opened
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(10, TimeUnit.MINUTES);
        pool.shutdown();
        AtomicInteger answered = new AtomicInteger();
        List<CompletableFuture<Void>> pings = new ArrayList<>();
        for (WsClient c : new ArrayList<>(open)) {
            pings.add(CompletableFuture.runAsync(() -> {
                c.ws.sendText("{\"type\":\"control\",\"data\":{\"action\":\"ping\"}}", true).join();
                String m = c.next(60_000);
                if (m != null && m.contains("\"pong\"")) {
                    answered.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(5, TimeUnit.MINUTES);
        for (WsClient c : open) {
            c.ws.abort();
        }
        return new int[] {open.size(), answered.get()};
    }

    /** A WebSocket client that queues whole text messages. */
    static final class WsClient implements WebSocket.Listener {
        final java.util.concurrent.LinkedBlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        void connect(HttpClient http, String uri) {
            ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30)).buildAsync(URI.create(uri), this).join();
        }

        String next(long millis) {
            try {
                return messages.poll(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    // --- plumbing ---

    private static void parallel(int clients, Runnable work) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int i = 0; i < clients; i++) {
            pool.execute(work);
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
    }

    private static Summary summarize(String target, String transport, int clients, ConcurrentLinkedQueue<Sample> samples,
                                     long wallNanos) {
        List<Sample> ok = samples.stream().filter(Sample::ok).toList();
        List<Double> ttft = ok.stream().map(s -> s.ttftNanos() / 1e6).sorted().toList();
        double perStream = ok.stream().filter(s -> s.tokens() > 1 && s.totalNanos() > s.ttftNanos())
                .mapToDouble(s -> (s.tokens() - 1) / ((s.totalNanos() - s.ttftNanos()) / 1e9)).average().orElse(0);
        long tokens = ok.stream().mapToLong(Sample::tokens).sum();
        return new Summary(target, transport, clients, samples.size(), samples.size() - ok.size(), pct(ttft, 50), pct(ttft, 99),
                perStream, tokens / (wallNanos / 1e9));
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static void write(Path out, List<Summary> rows, int wsSessions, int[] held, int maxTokens, int perStream)
            throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("# Streaming chat benchmark (`Bench llm`)\n\n");
        sb.append("Measured ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(" on ").append(Runtime.getRuntime().availableProcessors()).append(" cores; model `").append(MODEL)
                .append("`, ").append(maxTokens).append(" tokens per answer, ").append(perStream)
                .append(" answers per concurrent stream. TTFT = request sent to first content token received.\n\n");
        sb.append("| target | transport | streams | answers | failed | TTFT p50 ms | TTFT p99 ms | tokens/s per stream | tokens/s total |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Summary r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %.1f | %.1f | %.0f | %.0f |%n", r.target(), r.transport(),
                    r.streams(), r.requests(), r.failed(), r.ttftP50(), r.ttftP99(), r.tokensPerSecondPerStream(),
                    r.aggregateTokensPerSecond()));
        }
        sb.append("\nGateway overhead on the first token (p50, gateway minus direct):\n\n");
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            Summary d = rows.get(i);
            Summary g = rows.get(i + 1);
            sb.append(String.format(Locale.ROOT, "- %s, %d streams: %+.1f ms%n", d.transport(), d.streams(), g.ttftP50() - d.ttftP50()));
        }
        if (wsSessions > 0) {
            sb.append(String.format(Locale.ROOT, "%nWebSocket sessions held through the gateway: %d of %d opened, %d answered a ping "
                    + "while all were open.%n", held[0], wsSessions, held[1]));
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, sb.toString());
        System.out.println("wrote " + out);
    }
}
