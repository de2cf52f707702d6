package dev.ensemble.bench;

import io.vertx.core.json.JsonObject;
import dev.ensemble.launcher.Service;
import dev.ensemble.launcher.Suite;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Job queue benchmark (budgets in the design brief): submit-to-running latency with an idle worker
 * (server-side {@code started_at - created_at} of inference jobs on a tiny model, one at a time),
 * submissions per second (scheduled batch jobs, so the worker stays out of it), and list/filter
 * latency with 10,000 jobs in the table. Starts auth-service, job-service and billing-service (whose
 * guardrails hold the cost of every training job) with the launcher.
 * Run: {@code java -cp <bench classpath> dev.ensemble.bench.JobBench [--out bench/results/jobs.md]}.
 */
public final class JobBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private JobBench() {
    }

    public static void main(String[] args) throws Exception {
        String out = "bench/results/jobs.md";
        String job = null;
        String auth = null;
        int latencySamples = 200;
        int tableSize = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = args[++i];
                case "--job" -> job = args[++i];
                case "--auth" -> auth = args[++i];
                case "--samples" -> latencySamples = Integer.parseInt(args[++i]);
                case "--jobs" -> tableSize = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("options: --out PATH --job URL --auth URL --samples N --jobs N");
            }
        }
        String loadBefore = loadAverage();
        StringBuilder md = new StringBuilder();
        String setup;
        if (job != null) {
            setup = "job-service at " + job + ", auth-service at " + auth + " (already running).";
            run(URI.create(job), URI.create(auth), latencySamples, tableSize, md);
        } else {
            Path root = Path.of("").toAbsolutePath();
            for (Service s : List.of(Service.AUTH, Service.JOB, Service.BILLING)) {
                if (!Files.exists(s.jar(root))) {
                    throw new IllegalStateException("package " + s.module() + " first (../mvnw -B -q package -DskipTests)");
                }
            }
            Path home = root.resolve("bench/target/jobs-home");
            try (Suite suite = Suite.builder().home(home).repositoryRoot(root).randomPorts()
                    .services(Set.of(Service.AUTH, Service.JOB, Service.BILLING))
                    .progress(line -> System.out.println("suite: " + line)).build()) {
                suite.start();
                setup = "Started by the bench with the launcher's `Suite` (embedded PostgreSQL, Kafka, packaged "
                        + "auth-service, billing-service and job-service, job-service in API + worker role with one runner; service "
                        + "JVMs `" + String.join(" ", Suite.jvmOptions(Service.JOB)) + "`).";
                run(URI.create(suite.url(Service.JOB)), URI.create(suite.url(Service.AUTH)), latencySamples, tableSize, md);
            }
        }
        String header = "# Job queue\n\nBudgets (design brief): submit-to-running under 100 ms p50 when a worker is idle; "
                + "10,000 queued jobs list and filter in milliseconds.\n\n"
                + "- Date: " + LocalDate.now() + "\n"
                + "- Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + "; load average " + loadBefore + " before, "
                + loadAverage() + " after\n"
                + "- Setup: " + setup + "\n"
                + "- Command: `./mvnw -B -f bench/pom.xml compile exec:exec -Dbench.args=jobs` (JobBench)\n\n";
        Path file = Path.of(out);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, header + md);
        System.out.println(header + md);
        System.out.println("written to " + file.toAbsolutePath());
    }

    static void run(URI job, URI auth, int samples, int tableSize, StringBuilder md) throws Exception {
        String token = token(auth);
        // a tiny model to run inference jobs on
        String csv = csv(60);
        String boundary = "----bench" + UUID.randomUUID();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n";
        send(HttpRequest.newBuilder(job.resolve("/api/v1/datasets")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)).build(), 201);
        String training = submit(job, token, "/api/v1/jobs/training",
                "{\"model_type\":\"logistic_regression\",\"data_path\":\"/data/bench.csv\"}");
        JsonObject trained = awaitFinished(job, token, training);
        String modelId = trained.getJsonObject("result").getString("model_id");
        System.out.println("model " + modelId);

        // 1. submit-to-running, idle worker
        List<Double> latencies = new ArrayList<>();
        List<Double> clientToRunning = new ArrayList<>();
        for (int i = 0; i < samples + 20; i++) {
            long t0 = System.nanoTime();
            String id = submit(job, token, "/api/v1/jobs/inference",
                    "{\"model_id\":\"" + modelId + "\",\"input_data\":\"0.1,0.2,0.3,0.4\"}");
            JsonObject done = awaitFinished(job, token, id);
            double clientMs = (System.nanoTime() - t0) / 1e6;
            if (!"completed".equals(done.getString("status"))) {
                throw new IllegalStateException("inference job ended " + done);
            }
            double ms = Duration.between(Instant.parse(done.getString("created_at")),
                    Instant.parse(done.getString("started_at"))).toNanos() / 1e6;
            if (i >= 20) {
                latencies.add(ms);
                clientToRunning.add(clientMs);
            }
        }
        md.append("## Submit to running, idle worker\n\n")
                .append(samples).append(" inference jobs (logistic regression, one row), one at a time, each submitted once "
                        + "the previous one finished. *Submit to running* is the job's `started_at - created_at` "
                        + "(both stamped by job-service): commit, outbox relay, `jobs.<queue>` record, consumer, "
                        + "database claim. *Submit to completed (client)* adds running the job and polling "
                        + "its status every 5 ms.\n\n")
                .append("| measure | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n")
                .append(row("submit to running", latencies)).append(row("submit to completed (client)", clientToRunning))
                .append('\n');

        // 2. submissions per second
        String later = Instant.now().plus(Duration.ofDays(1)).toString();
        String batch = "{\"name\":\"bench\",\"type\":\"batch_processing\",\"parameters\":{\"model_id\":\"" + modelId
                + "\",\"inputs\":[\"0,0,0,0\"]},\"scheduled_at\":\"" + later + "\"}";
        md.append("## Submissions per second\n\nAi-semble batch jobs scheduled a day ahead (so no worker runs them), "
                + "closed loop, each client its own connection; each submit commits the job, its log line and two "
                + "outbox events.\n\n| clients | seconds | submits | per second | p50 ms | p99 ms | errors |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|\n");
        int submitted = 0;
        for (int clients : new int[]{1, 8, 32}) {
            Load l = load(job, token, batch, clients, Duration.ofSeconds(10));
            submitted += l.count;
            md.append(String.format(Locale.ROOT, "| %d | %.0f | %d | %.0f | %.2f | %.2f | %d |%n", clients, 10.0, l.count,
                    l.count / 10.0, pct(l.latencies, 50), pct(l.latencies, 99), l.errors));
        }
        // top up to tableSize jobs for this user
        int missing = tableSize - submitted - samples - 21;
        if (missing > 0) {
            Load l = loadCount(job, token, batch, 16, missing);
            submitted += l.count;
        }
        md.append('\n');

        // 3. list and filter
        JsonObject all = get(job, token, "/api/v1/jobs?limit=1");
        long total = all.getLong("total");
        md.append("## List and filter with ").append(total).append(" jobs of one user\n\n")
                .append("Each request 300 times, one at a time, after 50 warm-up requests. The table holds ")
                .append(total).append(" jobs of this user (about ").append(samples)
                .append(" completed, the rest pending); every answer includes `total`.\n\n")
                .append("| request | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n");
        for (String q : List.of("/api/v1/jobs?limit=50", "/api/v1/jobs?status=pending&limit=50",
                "/api/v1/jobs?status=completed&limit=50", "/api/v1/jobs?status=pending&limit=100&offset=5000",
                "/api/v1/jobs?status=failed&limit=50")) {
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < 350; i++) {
                long t0 = System.nanoTime();
                get(job, token, q);
                if (i >= 50) {
                    times.add((System.nanoTime() - t0) / 1e6);
                }
            }
            md.append(row("`GET " + q + "`", times));
        }
    }

    record Load(int count, int errors, List<Double> latencies) {
    }

    static Load load(URI job, String token, String body, int clients, Duration duration) throws Exception {
        return loadUntil(job, token, body, clients, System.nanoTime() + duration.toNanos(), Integer.MAX_VALUE);
    }

    static Load loadCount(URI job, String token, String body, int clients, int count) throws Exception {
        return loadUntil(job, token, body, clients, Long.MAX_VALUE, count);
    }

    static Load loadUntil(URI job, String token, String body, int clients, long deadline, int max) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong issued = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Future<List<Double>>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                List<Double> lat = new ArrayList<>();
                while (System.nanoTime() < deadline && issued.incrementAndGet() <= max) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(job.resolve("/api/v1/jobs"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    lat.add((System.nanoTime() - t0) / 1e6);
                    if (r.statusCode() != 201) {
                        errors.incrementAndGet();
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
        return new Load(all.size(), (int) errors.get(), all);
    }

    static String row(String name, List<Double> values) {
        return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f |%n", name, pct(values, 50), pct(values, 90),
                pct(values, 99), pct(values, 100));
    }

    static double pct(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int i = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }

    static String token(URI auth) throws Exception {
        String email = "bench-" + UUID.randomUUID() + "@example.com";
        String password = "bench-password-" + UUID.randomUUID();
        send(HttpRequest.newBuilder(auth.resolve("/api/v1/auth/register")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"password\":\"" + password
                        + "\",\"name\":\"Bench\"}")).build(), 201);
        JsonObject login = new JsonObject(send(HttpRequest.newBuilder(auth.resolve("/api/v1/auth/login"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}")).build(), 200));
        return login.getJsonObject("tokens").getString("access_token");
    }

    static String submit(URI job, String token, String path, String body) throws Exception {
        return new JsonObject(send(HttpRequest.newBuilder(job.resolve(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), 201))
                .getString("job_id");
    }

    static JsonObject awaitFinished(URI job, String token, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject j = get(job, token, "/api/v1/jobs/" + id);
            String s = j.getString("status");
            if (s.equals("completed") || s.equals("failed") || s.equals("cancelled")) {
                return j;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("job " + id + " did not finish");
    }

    static JsonObject get(URI job, String token, String path) throws Exception {
        return new JsonObject(send(HttpRequest.newBuilder(job.resolve(path)).header("Authorization", "Bearer " + token)
                .GET().build(), 200));
    }

    static String send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != expected) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + r.statusCode()
                    + ": " + r.body());
        }
        return r.body();
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2] + " (1/5/15 min)";
        } catch (Exception e) {
            return "unknown";
        }
    }

    static String csv(int rows) {
        Random r = new Random(1);
        StringBuilder sb = new StringBuilder("feature1,feature2,feature3,feature4,label\n");
        for (int i = 0; i < rows; i++) {
            int c = i % 2;
            sb.append(String.format(Locale.ROOT, "%.3f,%.3f,%.3f,%.3f,c%d%n", c * 3 + r.nextGaussian(),
                    r.nextGaussian(), r.nextGaussian(), c + r.nextGaussian(), c));
        }
        return sb.toString();
    }
}
