package dev.ensemble.gateway.health;

import dev.ensemble.gateway.config.GatewayConfig;
import dev.ensemble.gateway.health.HealthReport.Check;
import dev.ensemble.gateway.health.HealthReport.ServiceHealth;
import dev.ensemble.gateway.ops.OpsLogService;
import dev.ensemble.gateway.proxy.Upstream;
import dev.ensemble.gateway.proxy.Upstreams;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks every service's {@code /q/health/ready} at once (with a short timeout), checks the gateway's
 * own database and Kafka, and folds the answers into one {@link HealthReport}. A burst of health
 * checks within {@code ensemble.gateway.health.cache-ttl} shares one round. A service going down or
 * coming back is written to the operations log.
 */
@ApplicationScoped
public class HealthAggregator {

    private static final Logger LOG = Logger.getLogger(HealthAggregator.class);
    static final String DATABASE = "database";
    static final String KAFKA = "kafka";
    static final String GATEWAY = "gateway";

    @Inject
    Vertx vertx;

    @Inject
    GatewayConfig config;

    @Inject
    Upstreams upstreams;

    @Inject
    Pool pool;

    @Inject
    SmallRyeHealthReporter reporter;

    @Inject
    OpsLogService opsLog;

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "0.1.0")
    String version;

    private HttpClient client;
    private Uni<HealthReport> shared;
    /** When the gateway first saw each service ready, since its last failed probe. */
    private final Map<String, Instant> upSince = new ConcurrentHashMap<>();
    /** The last state seen per service, to log changes only. */
    private final Map<String, Boolean> lastSeen = new ConcurrentHashMap<>();

    record Probe(boolean healthy, long nanos, String error, Long reportedUptime) {
    }

    @PostConstruct
    void init() {
        client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout((int) config.health().timeout().toMillis())
                        .setName("gateway-health"),
                new PoolOptions().setHttp1MaxSize(2));
        Duration ttl = config.health().cacheTtl();
        Uni<HealthReport> round = Uni.createFrom().deferred(this::computeReport);
        shared = ttl.isZero() ? round : round.memoize().atLeast(ttl);
    }

    /** The current report, shared with concurrent callers for a short while. */
    public Uni<HealthReport> report() {
        return shared;
    }

    Uni<HealthReport> computeReport() {
        long timeoutMs = config.health().timeout().toMillis();
        List<Upstream> services = new ArrayList<>(upstreams.all());
        List<Uni<Probe>> probes = new ArrayList<>();
        for (Upstream u : services) {
            probes.add(probe(u, timeoutMs));
        }
        probes.add(database(timeoutMs));
        probes.add(kafka(timeoutMs));
        return Uni.join().all(probes).andFailFast()
                .map(results -> assemble(services, results))
                .call(this::logChanges);
    }

    private HealthReport assemble(List<Upstream> services, List<Probe> results) {
        Instant now = Instant.now();
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        Map<String, ServiceHealth> byService = new LinkedHashMap<>();
        Map<String, String> components = new LinkedHashMap<>();
        Map<String, Check> checks = new LinkedHashMap<>();
        Probe db = results.get(services.size());
        Probe kafka = results.get(services.size() + 1);
        checks.put(DATABASE, check(db));
        checks.put(KAFKA, check(kafka));
        boolean allUp = kafka.healthy();
        for (int i = 0; i < services.size(); i++) {
            String name = services.get(i).name();
            Probe p = results.get(i);
            allUp &= p.healthy();
            Long serviceUptime = p.reportedUptime();
            if (p.healthy()) {
                Instant since = upSince.computeIfAbsent(name, k -> now);
                if (serviceUptime == null) {
                    serviceUptime = Duration.between(since, now).toSeconds();
                }
            } else {
                upSince.remove(name);
                serviceUptime = null;
            }
            byService.put(name, new ServiceHealth(word(p.healthy()), seconds(p.nanos()), serviceUptime));
            components.put(name, word(p.healthy()));
            checks.put(name, check(p));
        }
        byService.put(GATEWAY, new ServiceHealth(word(db.healthy()), seconds(db.nanos()), uptime));
        components.put(GATEWAY, word(db.healthy()));
        components.put(DATABASE, word(db.healthy()));
        components.put(KAFKA, word(kafka.healthy()));
        String status = !db.healthy() ? HealthReport.UNHEALTHY : allUp ? HealthReport.HEALTHY : HealthReport.DEGRADED;
        return new HealthReport(status, now.truncatedTo(ChronoUnit.MILLIS), version, uptime, byService,
                components, checks);
    }

    private Uni<Probe> probe(Upstream upstream, long timeoutMs) {
        return Uni.createFrom().deferred(() -> {
            long t0 = System.nanoTime();
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost(upstream.host())
                    .setPort(upstream.port())
                    .setSsl(upstream.ssl())
                    .setURI(upstream.basePath() + "/q/health/ready")
                    .setConnectTimeout(timeoutMs)
                    .setIdleTimeout(timeoutMs);
            Future<Probe> f = client.request(options)
                    .compose(req -> req.send())
                    .compose(resp -> resp.body().map(body -> {
                        long elapsed = System.nanoTime() - t0;
                        boolean up = resp.statusCode() == 200;
                        return new Probe(up, elapsed, up ? null : "not ready (HTTP " + resp.statusCode() + ")",
                                up ? reportedUptime(body.toString()) : null);
                    }));
            return Uni.createFrom().completionStage(f.toCompletionStage())
                    .onFailure().recoverWithItem(e -> new Probe(false, System.nanoTime() - t0,
                            e instanceof java.util.concurrent.TimeoutException ? "timeout" : "unreachable", null));
        }).ifNoItem().after(Duration.ofMillis(timeoutMs + 500))
                .recoverWithItem(() -> new Probe(false, timeoutMs * 1_000_000L, "timeout", null));
    }

    private Uni<Probe> database(long timeoutMs) {
        return Uni.createFrom().deferred(() -> {
            long t0 = System.nanoTime();
            return pool.query("SELECT 1").execute()
                    .map(rows -> new Probe(true, System.nanoTime() - t0, null, null))
                    .ifNoItem().after(Duration.ofMillis(timeoutMs)).fail()
                    .onFailure().recoverWithItem(e -> new Probe(false, System.nanoTime() - t0,
                            e instanceof io.smallrye.mutiny.TimeoutException ? "timeout" : "unreachable", null));
        });
    }

    /** Kafka as Quarkus' own readiness checks see it (the broker connection and the messaging channels). */
    private Uni<Probe> kafka(long timeoutMs) {
        return Uni.createFrom().deferred(() -> {
            long t0 = System.nanoTime();
            return reporter.getReadinessAsync()
                    .map(health -> {
                        boolean up = true;
                        boolean seen = false;
                        var checks = health.getPayload().getJsonArray("checks");
                        for (JsonValue value : checks == null ? List.<JsonValue>of() : checks) {
                            var check = value.asJsonObject();
                            String name = check.getString("name", "").toLowerCase(Locale.ROOT);
                            if (name.contains("kafka") || name.contains("messaging")) {
                                seen = true;
                                up &= "UP".equals(check.getString("status", "DOWN"));
                            }
                        }
                        return new Probe(up, System.nanoTime() - t0, !seen ? "no kafka check" : up ? null : "down",
                                null);
                    })
                    .ifNoItem().after(Duration.ofMillis(timeoutMs)).fail()
                    .onFailure().recoverWithItem(e -> new Probe(false, System.nanoTime() - t0, "unreachable", null));
        });
    }

    /** Writes a service going down or coming back (and a first sighting that is down) to the operations log. */
    private Uni<Void> logChanges(HealthReport report) {
        List<Uni<dev.ensemble.gateway.ops.OpsLog>> writes = new ArrayList<>();
        report.checks().forEach((name, check) -> {
            if (DATABASE.equals(name)) {
                return;
            }
            Boolean before = lastSeen.put(name, check.healthy());
            boolean changed = before == null ? !check.healthy() : before != check.healthy();
            if (changed) {
                String event = check.healthy() ? OpsLogService.SERVICE_UP : OpsLogService.SERVICE_DOWN;
                String message = check.healthy() ? name + " is ready again" : name + " is not ready: " + check.error();
                LOG.infof("health: %s", message);
                if (report.checks().get(DATABASE).healthy()) {
                    writes.add(onVertxContext(() -> opsLog.record(check.healthy() ? "INFO" : "WARN", name, event,
                            message, null))
                            .onFailure().invoke(e -> LOG.warnf("could not write the ops log: %s", e.toString()))
                            .onFailure().recoverWithNull());
                }
            }
        });
        return writes.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(writes).andCollectFailures().replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /**
     * Runs reactive persistence on a fresh duplicated Vert.x context: the probes may complete on a
     * worker thread, where Hibernate Reactive cannot open a session.
     */
    private <T> Uni<T> onVertxContext(java.util.function.Supplier<Uni<T>> work) {
        io.vertx.core.Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        return Uni.createFrom().emitter(emitter -> context.runOnContext(v ->
                work.get().subscribe().with(emitter::complete, emitter::fail)));
    }

    private static Check check(Probe p) {
        return new Check(p.healthy(), p.nanos() / 1_000_000L, p.error());
    }

    private static String word(boolean healthy) {
        return healthy ? HealthReport.HEALTHY : HealthReport.UNHEALTHY;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1_000_000.0) / 1000.0;
    }

    /** A service may report its own uptime as {@code uptime_seconds} in the data of a readiness check. */
    static Long reportedUptime(String body) {
        try {
            JsonArray checks = new JsonObject(body).getJsonArray("checks");
            if (checks == null) {
                return null;
            }
            for (Object c : checks) {
                if (c instanceof JsonObject check && check.getJsonObject("data") != null) {
                    Object v = check.getJsonObject("data").getValue("uptime_seconds");
                    if (v instanceof Number n) {
                        return n.longValue();
                    }
                }
            }
        } catch (RuntimeException e) {
            // not JSON, or not the SmallRye shape: the gateway's own observation stands
        }
        return null;
    }
}
