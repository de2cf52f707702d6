package dev.ensemble.bench;

import ai.djl.Model;
import ai.djl.basicmodelzoo.basic.Mlp;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import dev.ensemble.launcher.Service;
import dev.ensemble.launcher.Suite;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Model serving benchmark (issue: throughput and p50/p99 for one model at 1, 16 and 64 concurrent
 * clients, dynamic batching on and off, and the same model called in-process through DJL as the
 * ceiling). Builds an MLP with DJL (random weights, saved as DJL {@code .params}), uploads it to
 * inference-service (started with auth-service by the launcher), and drives
 * {@code POST /api/v1/models/{id}/predict} with one row per request, first with {@code batch_size 1}
 * (batching off), then with batching on ({@code batch_size 64}, {@code max_batch_delay_ms 4}, the service default),
 * retuned through {@code PUT /api/v1/models/{id}/config}. The in-process ceiling runs the same
 * parameters in the bench JVM: N threads, each with its own predictor, one row per call (what the
 * service does with batching off) and, for reference, 32 rows per call.
 */
public final class ServingBench {

    private ServingBench() {
    }

    public static void main(String[] args) throws Exception {
        String out = "bench/results/serving.md";
        int[] clients = {1, 16, 64};
        int duration = 10;
        int warmup = 3;
        String arch = "1024-2048-2048-10";
        int batch = 64;
        int delay = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = args[++i];
                case "--clients" -> clients = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--duration" -> duration = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--arch" -> arch = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--delay" -> delay = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException(
                        "options: --out PATH --clients 1,16,64 --duration S --warmup S --arch IN-HIDDEN...-OUT --batch N --delay MS");
            }
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        int[] sizes = Arrays.stream(arch.split("-")).mapToInt(Integer::parseInt).toArray();
        int inputs = sizes[0];
        int outputs = sizes[sizes.length - 1];
        int[] hidden = Arrays.copyOfRange(sizes, 1, sizes.length - 1);

        Path root = Path.of("").toAbsolutePath();
        Path work = root.resolve("bench/target/serving");
        Files.createDirectories(work);
        Path modelDir = Files.createTempDirectory(work, "mlp");
        String loadBefore = JobBench.loadAverage();
        StringBuilder md = new StringBuilder();
        Duration d = Duration.ofSeconds(duration);
        Duration w = Duration.ofSeconds(warmup);

        // The model, and the in-process ceiling.
        List<String> ceiling = new ArrayList<>();
        try (Model model = Model.newInstance("bench-mlp", "PyTorch")) {
            model.setBlock(new Mlp(inputs, outputs, hidden));
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, inputs));
            model.save(modelDir, "bench-mlp");
            for (int c : clients) {
                ceiling.add(inProcess(model, inputs, c, 1, w, d));
            }
            ceiling.add(inProcess(model, inputs, 1, 32, w, d));
        }
        Path params = modelDir.resolve("bench-mlp-0000.params");

        for (Service s : List.of(Service.AUTH, Service.INFERENCE)) {
            if (!Files.exists(s.jar(root))) {
                throw new IllegalStateException("package " + s.module() + " first (../mvnw -B -q package -DskipTests)");
            }
        }
        List<String> rows = new ArrayList<>();
        try (Suite suite = Suite.builder().home(work.resolve("home")).repositoryRoot(root).randomPorts()
                .services(Set.of(Service.AUTH, Service.INFERENCE))
                .progress(line -> System.out.println("suite: " + line)).build();
             LoadGenerator load = new LoadGenerator()) {
            suite.start();
            URI inference = URI.create(suite.url(Service.INFERENCE));
            String token = JobBench.token(URI.create(suite.url(Service.AUTH)));
            String id = upload(inference, token, params, "mlp:" + arch, inputs);
            System.out.println("model " + id + " ready");
            Random random = new Random(7);
            JsonArray row = new JsonArray();
            for (int i = 0; i < inputs; i++) {
                row.add(Math.round(random.nextGaussian() * 1000) / 1000.0);
            }
            Buffer body = Buffer.buffer(new JsonObject().put("inputs", new JsonArray().add(row)).encode());
            URI predict = inference.resolve("/api/v1/models/" + id + "/predict");
            Map<String, String> headers = Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
            // JIT and engine warm-up in both configurations, not measured.
            for (boolean batching : new boolean[]{true, false}) {
                configure(inference, token, id, batching ? batch : 1, batching ? delay : 0);
                load.run(predict, HttpMethod.POST, headers, body, 16, Duration.ZERO, Duration.ofSeconds(15));
            }
            for (boolean batching : new boolean[]{false, true}) {
                configure(inference, token, id, batching ? batch : 1, batching ? delay : 0);
                for (int c : clients) {
                    LoadGenerator.Result r = load.run(predict, HttpMethod.POST, headers, body, c, w, d);
                    System.out.printf(Locale.ROOT, "batching %s, %d clients: %.0f req/s p50 %.2f p99 %.2f errors %d%n",
                            batching ? "on" : "off", c, r.rps(), r.p50(), r.p99(), r.errors());
                    rows.add(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %d |",
                            batching ? "on (" + batch + ", " + delay + " ms)" : "off (1)", c, r.rps(), r.p50(), r.p99(), r.max(), r.errors()));
                }
            }
            JsonObject metrics = new JsonObject(JobBench.send(HttpRequest.newBuilder(
                    inference.resolve("/api/v1/models/" + id + "/metrics")).header("Authorization", "Bearer " + token)
                    .GET().build(), 200));
            rows.add("");
            rows.add("Service-side metrics at the end: `" + metrics.encode() + "`");
        }

        md.append("# Model serving\n\n");
        md.append("Run ").append(Instant.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores; load average before ").append(loadBefore).append(", after ")
                .append(JobBench.loadAverage()).append(".\n\n");
        md.append("Model: DJL MLP `").append(arch).append("` (random weights, ")
                .append(String.format(Locale.ROOT, "%.1f", Files.size(params) / 1e6))
                .append(" MB of parameters), PyTorch engine, one intra-op thread; one row per request. ")
                .append("Each step: ").append(warmup).append(" s warm-up, ").append(duration)
                .append(" s measured, closed loop (one keep-alive connection per client), latencies in ms.\n\n");
        md.append("## In-process ceiling (DJL in the bench JVM, one predictor per thread)\n\n");
        md.append("| threads | rows per call | calls/s | rows/s | p50 | p99 |\n| --- | --- | --- | --- | --- | --- |\n");
        ceiling.forEach(line -> md.append(line).append('\n'));
        md.append("\n## Through inference-service (`POST /api/v1/models/{id}/predict`, direct, JWT)\n\n");
        md.append("| batching | clients | req/s | p50 | p99 | max | errors |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        rows.forEach(line -> md.append(line).append('\n'));
        Path file = root.resolve(out);
        Files.createDirectories(file.getParent());
        Files.writeString(file, md.toString());
        System.out.println(md);
        System.out.println("written to " + file);
    }

    /** Closed-loop calls of one predictor per thread; each call carries {@code rowsPerCall} rows. */
    static String inProcess(Model model, int inputs, int threads, int rowsPerCall, Duration warmup, Duration duration)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        long from = start + warmup.toNanos();
        long until = from + duration.toNanos();
        List<Future<List<Double>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                List<Double> lat = new ArrayList<>();
                try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
                     NDManager m = NDManager.newBaseManager()) {
                    float[] data = new float[rowsPerCall * inputs];
                    Random r = new Random();
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) r.nextGaussian();
                    }
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= until) {
                            break;
                        }
                        try (NDManager call = m.newSubManager()) {
                            NDArray x = call.create(data, new Shape(rowsPerCall, inputs));
                            NDList y = p.predict(new NDList(x));
                            y.singletonOrThrow().toFloatArray();
                        }
                        long t1 = System.nanoTime();
                        if (t0 >= from && t1 <= until) {
                            lat.add((t1 - t0) / 1e6);
                        }
                    }
                }
                return lat;
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> f : futures) {
            all.addAll(f.get());
        }
        pool.shutdown();
        double secs = duration.toNanos() / 1e9;
        String line = String.format(Locale.ROOT, "| %d | %d | %.0f | %.0f | %.3f | %.3f |", threads, rowsPerCall,
                all.size() / secs, all.size() * rowsPerCall / secs, JobBench.pct(all, 50), JobBench.pct(all, 99));
        System.out.println("in-process " + line);
        return line;
    }

    static String upload(URI inference, String token, Path params, String architecture, int inputs) throws Exception {
        String boundary = "bench-" + UUID.randomUUID();
        List<byte[]> parts = new ArrayList<>();
        for (var field : Map.of("name", "bench-mlp", "format", "djl", "architecture", architecture,
                "input_shape", Integer.toString(inputs)).entrySet()) {
            parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey() + "\"\r\n\r\n"
                    + field.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        parts.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\""
                + params.getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        parts.add(Files.readAllBytes(params));
        parts.add(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonObject created = new JsonObject(JobBench.send(HttpRequest.newBuilder(inference.resolve("/api/v1/models/upload"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(parts)).build(), 201));
        String id = created.getString("model_id");
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject m = new JsonObject(JobBench.send(HttpRequest.newBuilder(inference.resolve("/api/v1/models/" + id))
                    .header("Authorization", "Bearer " + token).GET().build(), 200));
            String status = m.getString("status");
            if ("ready".equals(status)) {
                return id;
            }
            if ("failed".equals(status)) {
                throw new IllegalStateException("model failed to load: " + m.encode());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("model " + id + " was not ready in 3 minutes");
    }

    static void configure(URI inference, String token, String id, int batchSize, int delayMs) throws Exception {
        JobBench.send(HttpRequest.newBuilder(inference.resolve("/api/v1/models/" + id + "/config"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("batch_size", batchSize)
                        .put("max_batch_delay_ms", delayMs).encode())).build(), 200);
    }
}
