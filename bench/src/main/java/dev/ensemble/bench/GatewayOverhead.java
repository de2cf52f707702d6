package dev.ensemble.bench;

import dev.ensemble.launcher.Service;
import dev.ensemble.launcher.Suite;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway adds to a request: the same GET sent straight to a service and through the
 * gateway, at several numbers of concurrent keep-alive clients, reporting throughput, p50/p99 and
 * the difference. By default it starts what it measures with the launcher ({@link Suite}: PostgreSQL,
 * Kafka, the gateway and, when built, auth-service) plus a tiny in-process upstream; with
 * {@code --gateway URL --direct URL} it measures a suite that is already running.
 */
public final class GatewayOverhead {

    static final String TINY_PREFIX = "/bench";
    static final String TINY_PATH = TINY_PREFIX + "/tiny";
    static final String JWKS_PATH = "/.well-known/jwks.json";
    /** The tiny upstream again, on a route that needs a credential. */
    static final String AUTH_PREFIX = "/bench-auth";
    static final String AUTH_PATH = AUTH_PREFIX + "/tiny";

    private GatewayOverhead() {
    }

    record Scenario(String title, String description, URI direct, URI gateway, Map<String, String> headers) {
        Scenario(String title, String description, URI direct, URI gateway) {
            this(title, description, direct, gateway, Map.of());
        }
    }

    record Row(LoadGenerator.Result direct, LoadGenerator.Result gateway) {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.help) {
            System.out.println("""
                    gateway-overhead: the same GET straight to a service and through the gateway.
                      --clients 1,16,64     concurrent keep-alive clients per step
                      --duration 10         seconds measured per target and step
                      --warmup 3            seconds of warm-up per target and step (not measured)
                      --global-warmup 15    seconds of warm-up per target at 16 clients before the first step
                      --out PATH            markdown results (default bench/results/gateway-overhead.md)
                      --no-auth             skip the auth-service scenarios (JWKS, JWT, API key)
                      --no-edge-auth        skip the JWT and API-key scenarios
                      --gateway-jvm "OPTS"  extra JVM options for the gateway (JAVA_TOOL_OPTIONS), e.g. GC logging
                      --gateway-env N=V     an extra environment variable for the gateway (repeatable)
                      --gateway-java "OPTS" start the gateway with these JVM options instead of the launcher's
                                            (experiments, e.g. another garbage collector)
                      --gateway URL --direct URL
                                            measure an already running suite instead of starting one,
                                            e.g. --gateway http://127.0.0.1:8080/.well-known/jwks.json
                                                 --direct  http://127.0.0.1:8081/.well-known/jwks.json
                    Only loopback addresses are accepted.""");
            return;
        }
        String loadBefore = loadAverage();
        List<Scenario> scenarios = new ArrayList<>();
        List<List<Row>> results = new ArrayList<>();
        String setup;
        if (o.gateway != null) {
            URI gateway = loopback(o.gateway);
            URI direct = loopback(o.direct);
            scenarios.add(new Scenario("running suite: GET " + gateway.getRawPath(),
                    "an already running suite", direct, gateway));
            setup = "An already running suite (`--gateway " + gateway + " --direct " + direct + "`).";
            for (Scenario s : scenarios) {
                results.add(measure(s, o));
            }
        } else {
            Path root = repositoryRoot();
            Path work = root.resolve("bench/target/gateway-overhead");
            deleteTree(work);
            Files.createDirectories(work);
            try (TinyUpstream tiny = new TinyUpstream()) {
                Path gatewayConfig = work.resolve("gateway-bench.properties");
                // /bench stays public (the bare hop); /bench-auth needs a JWT or an API key. The plan the
                // bench user gets is lifted so the limiter counts every request but never refuses one.
                Files.writeString(gatewayConfig, "ensemble.gateway.services.tiny.url=http://127.0.0.1:" + tiny.port()
                        + "\nensemble.gateway.routes.\"" + TINY_PREFIX + "\".service=tiny\n"
                        + "ensemble.gateway.routes.\"" + AUTH_PREFIX + "\".service=tiny\n"
                        + "ensemble.gateway.auth.public-paths=/health,/readiness,/metrics," + JWKS_PATH + ","
                        + "/api/v1/auth/register,/api/v1/auth/login," + TINY_PREFIX + "\n"
                        + "ensemble.gateway.rate-limit.plans.pro.limit=1000000000\n"
                        + "ensemble.gateway.rate-limit.plans.pro.per-minute=1000000000\n"
                        + "ensemble.gateway.rate-limit.plans.pro.burst=1000000\n");
                Set<Service> services = new LinkedHashSet<>();
                if (o.gatewayJava == null) {
                    services.add(Service.GATEWAY);
                }
                boolean withAuth = !o.noAuth && Files.exists(Service.AUTH.jar(root));
                if (withAuth) {
                    services.add(Service.AUTH);
                }
                if (!Files.exists(Service.GATEWAY.jar(root))) {
                    throw new IllegalStateException("build the gateway first: cd gateway-service && ../mvnw -B -q package -DskipTests");
                }
                Suite.Builder builder = Suite.builder()
                        .home(work.resolve("home"))
                        .repositoryRoot(root)
                        .randomPorts()
                        .services(services)
                        .env(Service.GATEWAY, "QUARKUS_CONFIG_LOCATIONS", gatewayConfig.toString())
                        .progress(line -> System.out.println("suite: " + line));
                if (o.gatewayJvm != null) {
                    builder.env(Service.GATEWAY, "JAVA_TOOL_OPTIONS", o.gatewayJvm);
                }
                for (String kv : o.gatewayEnv) {
                    int eq = kv.indexOf('=');
                    builder.env(Service.GATEWAY, kv.substring(0, eq), kv.substring(eq + 1));
                }
                try (Suite suite = builder.build()) {
                    suite.start();
                    Process ownGateway = o.gatewayJava == null ? null
                            : OwnGateway.start(suite, root, o.gatewayJava, work.resolve("gateway.log"));
                    try {
                        String gw = suite.url(Service.GATEWAY);
                        scenarios.add(new Scenario("tiny upstream: GET " + TINY_PATH,
                                "a Vert.x server in the bench JVM answering a fixed 400-byte JSON body, so the hop "
                                        + "itself is what is measured",
                                URI.create("http://127.0.0.1:" + tiny.port() + TINY_PATH), URI.create(gw + TINY_PATH)));
                        if (withAuth) {
                            scenarios.add(new Scenario("auth-service: GET " + JWKS_PATH,
                                    "auth-service's public keys (a real Quarkus service, as started by the launcher)",
                                    URI.create(suite.url(Service.AUTH) + JWKS_PATH), URI.create(gw + JWKS_PATH)));
                            if (!o.noEdgeAuth) {
                                Credentials c = Credentials.create(gw);
                                URI tinyDirect = URI.create("http://127.0.0.1:" + tiny.port() + TINY_PATH);
                                scenarios.add(new Scenario("tiny upstream with a JWT: GET " + AUTH_PATH,
                                        "the tiny upstream on a route that needs a credential: `Authorization: Bearer "
                                                + "<access token>` (RS256, verified at the gateway; the verification is "
                                                + "cached per token) and the rate limiter (in-process) on every request; "
                                                + "direct is the tiny upstream without any check",
                                        tinyDirect, URI.create(gw + AUTH_PATH),
                                        Map.of("Authorization", "Bearer " + c.jwt())));
                                scenarios.add(new Scenario("tiny upstream with an API key: GET " + AUTH_PATH,
                                        "the same with `X-API-Key: ak_live_...`: resolved through auth-service once, "
                                                + "then from the gateway's 5 s cache (one resolution per 5 s), swapped "
                                                + "for the minted JWT, rate limited per key",
                                        tinyDirect, URI.create(gw + AUTH_PATH), Map.of("X-API-Key", c.apiKey())));
                            }
                        }
                        warmUp(scenarios, o);
                        for (Scenario s : scenarios) {
                            results.add(measure(s, o));
                        }
                    } finally {
                        OwnGateway.stop(ownGateway);
                    }
                }
            }
            setup = "Started by the bench with the launcher's `Suite` (embedded PostgreSQL, Kafka, the packaged "
                    + "gateway" + (scenarios.size() > 1 ? " and auth-service" : "") + "; service JVMs `"
                    + String.join(" ", Suite.SERVICE_JVM_OPTIONS) + "`"
                    + (o.gatewayJava == null ? "" : "; but the gateway started by the bench with `" + o.gatewayJava + "`")
                    + (o.gatewayJvm == null ? "" : "; gateway also `" + o.gatewayJvm + "`")
                    + (o.gatewayEnv.isEmpty() ? "" : "; gateway environment `" + String.join(" ", o.gatewayEnv) + "`")
                    + ").";
        }
        String markdown = report(o, setup, scenarios, results, loadBefore, loadAverage());
        Path out = Path.of(o.out);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, markdown);
        System.out.println(markdown);
        System.out.println("written to " + out.toAbsolutePath());
    }

    /** Brings every target's JIT up to speed before anything is measured. */
    private static void warmUp(List<Scenario> scenarios, Options o) throws Exception {
        if (o.globalWarmup.isZero()) {
            return;
        }
        try (LoadGenerator load = new LoadGenerator()) {
            for (Scenario s : scenarios) {
                System.out.printf("warm-up: %s (%d s each way)%n", s.title(), o.globalWarmup.toSeconds());
                load.run(s.direct(), 16, o.globalWarmup, Duration.ofSeconds(1));
                load.run(s.gateway(), s.headers(), 16, o.globalWarmup, Duration.ofSeconds(1));
            }
        }
    }

    private static List<Row> measure(Scenario s, Options o) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (LoadGenerator load = new LoadGenerator()) {
            for (int clients : o.clients) {
                System.out.printf("%s: %d clients: direct...%n", s.title(), clients);
                LoadGenerator.Result direct = load.run(s.direct(), clients, o.warmup, o.duration);
                System.out.printf("  direct  %s%n", line(direct));
                System.out.printf("%s: %d clients: gateway...%n", s.title(), clients);
                LoadGenerator.Result gateway = load.run(s.gateway(), s.headers(), clients, o.warmup, o.duration);
                System.out.printf("  gateway %s%n", line(gateway));
                rows.add(new Row(direct, gateway));
            }
        }
        return rows;
    }

    private static String line(LoadGenerator.Result r) {
        return String.format(Locale.ROOT, "%.0f req/s p50 %.3f ms p99 %.3f ms max %.1f ms errors %d",
                r.rps(), r.p50(), r.p99(), r.max(), r.errors());
    }

    static String report(Options o, String setup, List<Scenario> scenarios, List<List<Row>> results,
                         String loadBefore, String loadAfter) {
        StringBuilder md = new StringBuilder();
        md.append("# Gateway overhead\n\n");
        md.append("The same `GET` sent straight to a service and through the gateway; *added* is gateway minus "
                + "direct. Budget (design brief): added p50 < 1 ms and p99 < 5 ms. The floor for one "
                + "proxy hop on this machine is nginx: about +0.04 ms p50 at 1 client, +0.3 ms at 16 and "
                + "+1.1 ms at 64.\n\n");
        md.append("- Date: ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE))
                .append("\n");
        md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
                .append(cpuModel()).append("), ").append(memory()).append(", Java ")
                .append(System.getProperty("java.version")).append("; the machine is shared: load average ")
                .append(loadBefore).append(" (1/5/15 min) before the run, ").append(loadAfter)
                .append(" after it (the run itself adds about 4 to 5)\n");
        md.append("- Setup: ").append(setup).append("\n");
        md.append("- Load: closed loop, each client one keep-alive HTTP/1.1 connection (Vert.x client on one "
                + "event loop, in the same machine); ").append(o.warmup.toSeconds()).append(" s warm-up, then ")
                .append(o.duration.toSeconds()).append(" s measured per target and step, after a ")
                .append(o.globalWarmup.toSeconds()).append(" s warm-up of every target at 16 clients; every latency recorded.\n");
        md.append("- Command: `./mvnw -B -f bench/pom.xml compile exec:exec` (see bench/README.md)\n");
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario s = scenarios.get(i);
            md.append("\n## ").append(s.title()).append("\n\n").append(capitalize(s.description())).append(".\n\n");
            md.append("| clients | direct req/s | direct p50 ms | direct p99 ms | gateway req/s | gateway p50 ms "
                    + "| gateway p99 ms | added p50 ms | added p99 ms | gateway/direct req/s | errors |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : results.get(i)) {
                LoadGenerator.Result d = r.direct();
                LoadGenerator.Result g = r.gateway();
                md.append(String.format(Locale.ROOT,
                        "| %d | %.0f | %.3f | %.3f | %.0f | %.3f | %.3f | %+.3f | %+.3f | %.2f | %d |%n",
                        d.clients(), d.rps(), d.p50(), d.p99(), g.rps(), g.p50(), g.p99(),
                        g.p50() - d.p50(), g.p99() - d.p99(), d.rps() == 0 ? 0 : g.rps() / d.rps(),
                        d.errors() + g.errors()));
            }
        }
        return md.toString();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static URI loopback(String url) {
        if (url == null) {
            throw new IllegalArgumentException("--gateway and --direct go together");
        }
        URI uri = URI.create(url);
        String host = uri.getHost();
        if (!"127.0.0.1".equals(host) && !"localhost".equals(host) && !"[::1]".equals(host) && !"::1".equals(host)) {
            throw new IllegalArgumentException("only loopback targets: " + url);
        }
        if (uri.getPort() <= 0) {
            throw new IllegalArgumentException("name the port: " + url);
        }
        return uri;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("gateway-service")) && Files.isDirectory(p.resolve("deploy"))) {
                return p;
            }
        }
        throw new IllegalStateException("run from the repository (no gateway-service/ above " + dir + ")");
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        try (var lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal")).map(l -> {
                long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                return String.format(Locale.ROOT, "%.1f GiB RAM", kb / 1024.0 / 1024.0);
            }).findFirst().orElse("unknown RAM");
        } catch (IOException | RuntimeException e) {
            return "unknown RAM";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Command-line options. */
    static final class Options {
        int[] clients = {1, 16, 64};
        Duration duration = Duration.ofSeconds(10);
        Duration warmup = Duration.ofSeconds(3);
        String out = "bench/results/gateway-overhead.md";
        String gateway;
        String direct;
        boolean noAuth;
        boolean noEdgeAuth;
        String gatewayJvm;
        String gatewayJava;
        Duration globalWarmup = Duration.ofSeconds(15);
        List<String> gatewayEnv = new ArrayList<>();
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--clients" -> o.clients = java.util.Arrays.stream(args[++i].split(","))
                            .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                    case "--duration" -> o.duration = Duration.ofSeconds(Long.parseLong(args[++i]));
                    case "--warmup" -> o.warmup = Duration.ofSeconds(Long.parseLong(args[++i]));
                    case "--out" -> o.out = args[++i];
                    case "--gateway" -> o.gateway = args[++i];
                    case "--direct" -> o.direct = args[++i];
                    case "--no-auth" -> o.noAuth = true;
                    case "--no-edge-auth" -> o.noEdgeAuth = true;
                    case "--gateway-jvm" -> o.gatewayJvm = args[++i];
                    case "--gateway-java" -> o.gatewayJava = args[++i];
                    case "--global-warmup" -> o.globalWarmup = Duration.ofSeconds(Long.parseLong(args[++i]));
                    case "--gateway-env" -> {
                        String kv = args[++i];
                        if (kv.indexOf('=') < 1) {
                            throw new IllegalArgumentException("--gateway-env NAME=VALUE");
                        }
                        o.gatewayEnv.add(kv);
                    }
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
                }
            }
            for (int c : o.clients) {
                if (c < 1 || c > 1024) {
                    throw new IllegalArgumentException("--clients: 1 to 1024");
                }
            }
            if (o.duration.isZero() || o.duration.toSeconds() > 600) {
                throw new IllegalArgumentException("--duration: 1 to 600 seconds");
            }
            if ((o.gateway == null) != (o.direct == null)) {
                throw new IllegalArgumentException("--gateway and --direct go together");
            }
            return o;
        }
    }
}
