package dev.ensemble.launcher;

import dev.ensemble.events.Topics;
import dev.ensemble.infra.Database;
import dev.ensemble.infra.EmbeddedDatabase;
import dev.ensemble.infra.KafkaBroker;
import dev.ensemble.infra.Ports;
import dev.ensemble.infra.Processes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The whole Ensemble suite on one machine: PostgreSQL (embedded, or an external server), a Kafka
 * broker in KRaft mode (or an external one), and the six packaged services as child processes,
 * the five backends first and the gateway last.
 *
 * <pre>{@code
 * try (Suite suite = Suite.builder().home(Path.of(".ensemble")).repositoryRoot(root).build()) {
 *     suite.start();
 *     String gateway = suite.gatewayUrl();
 * }
 * }</pre>
 *
 * A port given as 0 is replaced by a free one when the suite first starts and kept for restarts.
 * {@link #start()} may be called again after {@link #stop()}: PostgreSQL, Kafka and the keys keep
 * their state in the home directory.
 */
public final class Suite implements AutoCloseable {

    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(180);
    public static final int DEFAULT_POSTGRES_PORT = 15432;
    public static final int DEFAULT_KAFKA_PORT = 19092;
    public static final int DEFAULT_KAFKA_CONTROLLER_PORT = 19093;
    /** The JVM options of every service process. */
    public static final List<String> SERVICE_JVM_OPTIONS = List.of(
            "-XX:+UseSerialGC", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");

    /**
     * Per-service JVM options on top of {@link #SERVICE_JVM_OPTIONS}: the heap, larger where models
     * are trained or served (DJL tensors live off-heap; Tribuo data sets and batches on it), and a
     * low tenuring threshold for the gateway, whose per-request garbage dies young.
     */
    public static List<String> jvmOptions(Service s) {
        return switch (s) {
            case INFERENCE, JOB -> List.of("-Xmx1g");
            case GATEWAY -> List.of("-Xmx384m", "-XX:MaxTenuringThreshold=2");
            default -> List.of("-Xmx384m");
        };
    }
    /** The line written into a service's log before each start; log tails start after the last one. */
    static final String LOG_MARKER = "==== ensemble launcher: ";
    static final String POSTGRES = "postgres";
    static final String KAFKA = "kafka";

    private static final Duration KAFKA_START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;

    // configuration
    private final Home home;
    private final Path root;
    private final Map<Service, Integer> ports;
    private int postgresPort;
    private int kafkaPort;
    private int kafkaControllerPort;
    private final Database externalDatabase;
    private final String externalKafka;
    private final Map<String, String> commonEnv;
    private final Map<Service, Map<String, String>> serviceEnv;
    private final Set<Service> services;
    private final Duration readyTimeout;
    private final Consumer<String> progress;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    // what is running; guarded by lock
    private final Object lock = new Object();
    private boolean portsResolved;
    private boolean starting;
    private boolean running;
    private volatile boolean stopping;
    private EmbeddedDatabase embeddedDatabase;
    private Database database;
    private KafkaBroker kafka;
    private String kafkaBootstrap;
    private final Map<Service, Process> processes = new EnumMap<>(Service.class);

    private Suite(Builder b) {
        this.home = new Home(Objects.requireNonNull(b.home, "home"));
        this.root = Objects.requireNonNull(b.root, "repositoryRoot").toAbsolutePath().normalize();
        this.ports = new EnumMap<>(b.ports);
        this.postgresPort = b.postgresPort;
        this.kafkaPort = b.kafkaPort;
        this.kafkaControllerPort = b.kafkaControllerPort;
        this.externalDatabase = b.externalDatabase;
        this.externalKafka = b.externalKafka;
        this.commonEnv = Map.copyOf(b.commonEnv);
        this.serviceEnv = new EnumMap<>(Service.class);
        b.serviceEnv.forEach((s, env) -> this.serviceEnv.put(s, Map.copyOf(env)));
        this.services = EnumSet.copyOf(b.services);
        this.readyTimeout = b.readyTimeout;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------ start

    /**
     * Starts everything and returns when every service answers {@code GET /q/health/ready} with 200.
     *
     * @throws SuiteException naming the component, the cause and its log; whatever had been
     *                        started is stopped again before it is thrown
     */
    public void start() {
        synchronized (lock) {
            if (starting || running) {
                throw new IllegalStateException("the suite is already " + (running ? "running" : "starting"));
            }
            starting = true;
            stopping = false;
        }
        long t0 = System.nanoTime();
        try {
            home.createDirectories();
            resolvePorts();
            checkPorts();
            checkJars();
            checkExternalDatabase();
            startInfrastructure();
            List<Service> backends = Service.backends().stream().filter(services::contains).toList();
            startServices(backends);
            if (services.contains(Service.GATEWAY)) {
                startServices(List.of(Service.GATEWAY));
            }
            synchronized (lock) {
                checkNotStopping();
                running = true;
            }
            writeSuiteProperties();
            progress((services.size() == Service.values().length ? "all " : "") + services.size()
                    + " services ready in " + seconds(t0) + " s");
        } catch (RuntimeException e) {
            releaseResources();
            if (e instanceof SuiteException) {
                throw e;
            }
            throw new SuiteException("Ensemble failed to start: " + e, e);
        } finally {
            synchronized (lock) {
                starting = false;
                lock.notifyAll();
            }
        }
    }

    private void resolvePorts() {
        synchronized (lock) {
            if (portsResolved) {
                return;
            }
            Set<Integer> taken = new HashSet<>(ports.values());
            taken.addAll(List.of(postgresPort, kafkaPort, kafkaControllerPort));
            for (Service s : Service.values()) {
                if (ports.getOrDefault(s, 0) == 0) {
                    ports.put(s, freePort(taken));
                }
            }
            if (postgresPort == 0 && externalDatabase == null) {
                postgresPort = freePort(taken);
            }
            if (externalKafka == null) {
                if (kafkaPort == 0) {
                    kafkaPort = freePort(taken);
                }
                if (kafkaControllerPort == 0) {
                    kafkaControllerPort = freePort(taken);
                }
            }
            portsResolved = true;
        }
    }

    private static int freePort(Set<Integer> taken) {
        for (int i = 0; i < 100; i++) {
            int p = Ports.free();
            if (taken.add(p)) {
                return p;
            }
        }
        throw new SuiteException("cannot find a free port");
    }

    /** Every port this suite listens on, by component; fails naming each one that is taken. */
    private void checkPorts() {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        if (externalDatabase == null) {
            wanted.put("PostgreSQL (ENSEMBLE_PG_PORT)", postgresPort);
        }
        if (externalKafka == null) {
            wanted.put("Kafka (ENSEMBLE_KAFKA_PORT)", kafkaPort);
            wanted.put("Kafka controller (ENSEMBLE_KAFKA_CONTROLLER_PORT)", kafkaControllerPort);
        }
        for (Service s : Service.values()) {
            if (services.contains(s)) {
                wanted.put(s.module() + " (" + s.portVariable() + ")", ports.get(s));
            }
        }
        List<String> problems = new ArrayList<>();
        Map<Integer, String> seen = new LinkedHashMap<>();
        wanted.forEach((component, port) -> {
            String other = seen.putIfAbsent(port, component);
            if (other != null) {
                problems.add("port " + port + " is configured for both " + other + " and " + component);
            } else if (port < 1 || port > 65535) {
                problems.add("port " + port + " for " + component + " is not a valid port");
            } else if (!Ports.isFree(port)) {
                problems.add("port " + port + " needed by " + component + " is already in use" + holderHint(component));
            }
        });
        if (problems.size() == 1) {
            throw new SuiteException("Cannot start Ensemble: " + problems.get(0)
                    + ". Free the port or choose another one with the variable named.");
        }
        if (!problems.isEmpty()) {
            throw new SuiteException("Cannot start Ensemble: " + problems.size() + " ports are not available:\n  - "
                    + String.join("\n  - ", problems)
                    + "\nFree them or choose others with the variables named.");
        }
    }

    /** When the port's owner is a process of an earlier run of this home, says so. */
    private String holderHint(String component) {
        String name = component.startsWith("PostgreSQL") ? POSTGRES
                : component.startsWith("Kafka") ? KAFKA
                : component.substring(0, component.indexOf(' '));
        return home.readPid(name)
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .map(h -> " (pid " + h.pid() + " from an earlier run of " + home.dir() + " may still hold it: run ./ensemble down)")
                .orElse("");
    }

    private void checkJars() {
        List<String> missing = services.stream()
                .map(s -> s.jar(root))
                .filter(jar -> !Files.isRegularFile(jar))
                .map(Path::toString)
                .toList();
        if (!missing.isEmpty()) {
            throw new SuiteException("Cannot start Ensemble: not built: " + String.join(", ", missing)
                    + ". Build with ./mvnw -B -DskipTests install (./ensemble up does it when something is missing).");
        }
    }

    /** An external PostgreSQL is checked before anything starts, so that a wrong setting fails fast. */
    private void checkExternalDatabase() {
        if (externalDatabase != null && !externalDatabase.reachable()) {
            throw new SuiteException("Cannot start Ensemble: PostgreSQL at " + externalDatabase.host() + ":"
                    + externalDatabase.port() + " (ENSEMBLE_DB_HOST, ENSEMBLE_DB_PORT) does not accept a connection as user '"
                    + externalDatabase.user() + "' (ENSEMBLE_DB_USER, ENSEMBLE_DB_PASSWORD)");
        }
    }

    private void startInfrastructure() {
        // Kafka (a JVM) and PostgreSQL start side by side; both must be up before any service.
        CompletableFuture<Void> kafkaStart = CompletableFuture.runAsync(this::startKafka, runnable -> {
            Thread t = new Thread(runnable, "ensemble-kafka-start");
            t.setDaemon(true);
            t.start();
        });
        RuntimeException failure = null;
        try {
            startDatabase();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            kafkaStart.join();
        } catch (CompletionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
            if (failure == null) {
                failure = cause;
            } else {
                failure.addSuppressed(cause);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void startDatabase() {
        long t0 = System.nanoTime();
        Database db;
        if (externalDatabase != null) {
            progress("PostgreSQL: using the server at " + externalDatabase.host() + ":" + externalDatabase.port());
            db = externalDatabase;
        } else {
            progress("PostgreSQL: starting on port " + postgresPort + " (data in " + home.postgresData() + ")");
            EmbeddedDatabase pg;
            try {
                pg = EmbeddedDatabase.start(home.postgresData(), postgresPort);
            } catch (RuntimeException e) {
                throw new SuiteException("PostgreSQL failed to start: " + rootMessage(e) + ". Data directory: "
                        + home.postgresData() + "; its output is in " + home.log("launcher"), e);
            }
            synchronized (lock) {
                embeddedDatabase = pg;
                checkNotStopping();
            }
            postmasterPid().ifPresent(pid -> home.writePid(POSTGRES, pid));
            db = pg.database();
        }
        for (Service s : services) {
            try {
                db.ensureDatabase(s.database());
            } catch (RuntimeException e) {
                throw new SuiteException("Cannot create database " + s.database() + " for " + s.module() + ": "
                        + rootMessage(e), e);
            }
        }
        synchronized (lock) {
            database = db;
        }
        progress("PostgreSQL: ready" + (services.isEmpty() ? "" : ", databases " + services.stream()
                .map(Service::database).collect(Collectors.joining(", "))) + " (" + seconds(t0) + " s)");
    }

    private Optional<Long> postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(home.postgresData().resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void startKafka() {
        long t0 = System.nanoTime();
        if (externalKafka != null) {
            progress("Kafka: using the broker at " + externalKafka);
            createTopics(externalKafka, Topics.all());
            synchronized (lock) {
                kafkaBootstrap = externalKafka;
            }
            progress("Kafka: " + Topics.all().size() + " topics in place (" + seconds(t0) + " s)");
            return;
        }
        progress("Kafka: starting on port " + kafkaPort + " (data in " + home.kafkaDir() + ")");
        KafkaBroker broker;
        try {
            broker = KafkaBroker.start(home.kafkaDir(), kafkaPort, kafkaControllerPort, KAFKA_START_TIMEOUT);
        } catch (RuntimeException e) {
            throw new SuiteException("Kafka failed to start: " + rootMessage(e) + "\nLog: "
                    + home.kafkaDir().resolve("kafka.log"), e);
        }
        synchronized (lock) {
            kafka = broker;
            checkNotStopping();
        }
        home.writePid(KAFKA, broker.pid());
        linkKafkaLog();
        try {
            broker.createTopics(Topics.all());
        } catch (RuntimeException e) {
            throw new SuiteException("Kafka: cannot create the topics: " + rootMessage(e) + "\nLog: "
                    + home.kafkaDir().resolve("kafka.log"), e);
        }
        synchronized (lock) {
            kafkaBootstrap = broker.bootstrapServers();
        }
        progress("Kafka: ready at " + broker.bootstrapServers() + ", " + Topics.all().size() + " topics ("
                + seconds(t0) + " s)");
    }

    /** logs/kafka.log points at the broker's own log, so that every log is found in one place. */
    private void linkKafkaLog() {
        Path link = home.log(KAFKA);
        try {
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, home.kafkaDir().resolve("kafka.log"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // only a convenience
        }
    }

    private static void createTopics(String bootstrap, Collection<String> topics) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            List<NewTopic> wanted = topics.stream().map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList();
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new SuiteException("Kafka at " + bootstrap + " (ENSEMBLE_KAFKA_BOOTSTRAP): cannot create topic "
                                + entry.getKey() + ": " + rootMessage(e.getCause()), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SuiteException("interrupted while creating Kafka topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SuiteException("Kafka at " + bootstrap + " (ENSEMBLE_KAFKA_BOOTSTRAP) did not answer within 30 s", e);
        }
    }

    private void startServices(List<Service> group) {
        if (group.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        progress("starting " + group.stream().map(s -> s.module() + " (port " + ports.get(s) + ")")
                .collect(Collectors.joining(", ")));
        for (Service s : group) {
            launch(s);
        }
        awaitReady(group, t0);
    }

    private void launch(Service s) {
        Path log = home.log(s.module());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(SERVICE_JVM_OPTIONS);
        command.addAll(jvmOptions(s));
        command.add("-jar");
        command.add(s.jar(root).toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(home.dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        // Set per service below; one inherited from the caller's shell would point every service at one database.
        env.remove("ENSEMBLE_DB_NAME");
        env.putAll(environment(s));
        Process process;
        try {
            Files.writeString(log, "\n" + LOG_MARKER + Instant.now() + " starting " + s.module() + " on port "
                            + ports.get(s) + " ====\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = pb.start();
        } catch (IOException e) {
            throw new SuiteException(s.module() + " failed to start: " + e.getMessage() + "\nLog: " + log, e);
        }
        synchronized (lock) {
            processes.put(s, process);
            checkNotStopping();
        }
        home.writePid(s.module(), process.pid());
    }

    /** The environment a service is started with (on top of the launcher's own). */
    public Map<String, String> environment(Service s) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(ports.get(s)));
        Database db = database != null ? database : externalDatabase;
        if (db != null) {
            env.put("ENSEMBLE_DB_HOST", db.host());
            env.put("ENSEMBLE_DB_PORT", String.valueOf(db.port()));
            env.put("ENSEMBLE_DB_USER", db.user());
            env.put("ENSEMBLE_DB_PASSWORD", db.password());
        }
        env.put("ENSEMBLE_DB_NAME", s.database());
        if (kafkaBootstrap != null) {
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        }
        for (Service other : Service.values()) {
            env.put(other.urlVariable(), url(other));
        }
        env.put("ENSEMBLE_AUTH_KEY_DIR", home.keys().toString());
        env.put("ENSEMBLE_HOME", home.dir().toString());
        env.put("DJL_OFFLINE", "true");
        env.put("OPT_OUT_TRACKING", "true");
        env.put("DJL_CACHE_DIR", home.djlCache().toString());
        env.put("ENSEMBLE_MODEL_DIR", home.models().toString());
        env.put("ENSEMBLE_DATA_DIR", home.datasets().toString());
        env.put("ENSEMBLE_INTERNAL_TOKEN", home.internalToken());
        env.putAll(commonEnv);
        env.putAll(serviceEnv.getOrDefault(s, Map.of()));
        return env;
    }

    private void awaitReady(List<Service> group, long t0) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        Map<Service, String> lastAnswer = new EnumMap<>(Service.class);
        Set<Service> pending = new LinkedHashSet<>(group);
        while (true) {
            for (var it = pending.iterator(); it.hasNext(); ) {
                checkNotStopping();
                Service s = it.next();
                Process p;
                synchronized (lock) {
                    p = processes.get(s);
                }
                if (!p.isAlive()) {
                    throw failure(s, "the process exited with code " + p.exitValue() + " before it was ready");
                }
                String answer = probe(s);
                if (answer == null) {
                    it.remove();
                    progress(s.module() + ": ready on " + url(s) + " (" + seconds(t0) + " s)");
                } else {
                    lastAnswer.put(s, answer);
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                Service first = pending.iterator().next();
                String others = pending.size() > 1
                        ? " (also not ready: " + pending.stream().skip(1).map(Service::module)
                        .collect(Collectors.joining(", ")) + ")"
                        : "";
                throw failure(first, "not ready after " + readyTimeout.toSeconds() + " s; last answer from "
                        + url(first) + "/q/health/ready: " + lastAnswer.get(first) + others);
            }
            sleep(500);
        }
    }

    /** Null when ready, otherwise what the readiness endpoint said. */
    private String probe(Service s) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url(s) + "/q/health/ready"))
                .timeout(Duration.ofSeconds(3)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return null;
            }
            String body = response.body().replaceAll("\\s+", " ");
            return "HTTP " + response.statusCode() + " " + (body.length() > 500 ? body.substring(0, 500) + "..." : body);
        } catch (IOException e) {
            return "no answer (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SuiteException("interrupted while waiting for " + s.module());
        }
    }

    private SuiteException failure(Service s, String cause) {
        Path log = home.log(s.module());
        return new SuiteException(s.module() + " failed to start: " + cause + ".\nLog: " + log
                + "\nLast lines of the log:\n" + Home.tail(log, LOG_TAIL_LINES, LOG_MARKER));
    }

    private void checkNotStopping() {
        if (stopping) {
            throw new SuiteException("Ensemble start was interrupted: the suite is stopping");
        }
    }

    private void writeSuiteProperties() {
        Properties p = new Properties();
        p.setProperty("home", home.dir().toString());
        for (Service s : services) {
            p.setProperty(s.module() + ".port", String.valueOf(ports.get(s)));
            p.setProperty(s.module() + ".url", url(s));
        }
        if (database != null) {
            p.setProperty("postgres.host", database.host());
            p.setProperty("postgres.port", String.valueOf(database.port()));
            p.setProperty("postgres.embedded", String.valueOf(externalDatabase == null));
        }
        if (kafkaBootstrap != null) {
            p.setProperty("kafka.bootstrap", kafkaBootstrap);
            p.setProperty("kafka.embedded", String.valueOf(externalKafka == null));
        }
        var out = new java.io.StringWriter();
        try {
            p.store(out, "Written by the Ensemble launcher when the suite was ready");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Home.writeAtomically(home.suiteProperties(), out.toString());
    }

    // ------------------------------------------------------------------------------------- stop

    /**
     * Stops the services (gateway first; SIGTERM, then SIGKILL after a grace period), then Kafka,
     * then PostgreSQL. Safe to call more than once and from a shutdown hook while {@link #start()}
     * runs: it then waits for the start to give up.
     */
    public void stop() {
        synchronized (lock) {
            stopping = true;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (starting && System.nanoTime() < deadline) {
                try {
                    lock.wait(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            running = false;
        }
        releaseResources();
    }

    @Override
    public void close() {
        stop();
    }

    private void releaseResources() {
        Map<Service, Process> procs;
        KafkaBroker broker;
        EmbeddedDatabase pg;
        synchronized (lock) {
            procs = new EnumMap<>(processes);
            processes.clear();
            broker = kafka;
            kafka = null;
            pg = embeddedDatabase;
            embeddedDatabase = null;
            database = null;
            kafkaBootstrap = null;
        }
        if (procs.isEmpty() && broker == null && pg == null) {
            return;
        }
        long t0 = System.nanoTime();
        Process gateway = procs.remove(Service.GATEWAY);
        if (gateway != null) {
            stopProcesses(Map.of(Service.GATEWAY, gateway));
        }
        stopProcesses(procs);
        if (broker != null) {
            progress("Kafka: stopping");
            try {
                broker.close();
            } catch (RuntimeException e) {
                progress("Kafka: " + e.getMessage());
            }
            home.deletePid(KAFKA);
        }
        if (pg != null) {
            progress("PostgreSQL: stopping");
            try {
                pg.close();
            } catch (RuntimeException e) {
                progress("PostgreSQL: " + e.getMessage());
            }
            home.deletePid(POSTGRES);
        }
        progress("stopped in " + seconds(t0) + " s");
    }

    private void stopProcesses(Map<Service, Process> procs) {
        if (procs.isEmpty()) {
            return;
        }
        progress("stopping " + procs.keySet().stream().map(Service::module).collect(Collectors.joining(", ")));
        procs.values().forEach(p -> {
            if (p.isAlive()) {
                p.destroy();
            }
        });
        procs.forEach((s, p) -> {
            Processes.stop(p.toHandle(), STOP_GRACE);
            home.deletePid(s.module());
        });
    }

    // ---------------------------------------------------------------------------------- queries

    public Home home() {
        return home;
    }

    public Path repositoryRoot() {
        return root;
    }

    public Set<Service> services() {
        return EnumSet.copyOf(services);
    }

    /** True once {@link #stop()} was called (until the next {@link #start()}). */
    public boolean isStopping() {
        return stopping;
    }

    public boolean isRunning() {
        synchronized (lock) {
            return running;
        }
    }

    /** The port of a service (resolved once the suite has started when it was configured as 0). */
    public int port(Service s) {
        return ports.get(s);
    }

    /** The base URL of a service, e.g. {@code http://127.0.0.1:8081}. */
    public String url(Service s) {
        return "http://127.0.0.1:" + ports.get(s);
    }

    public String gatewayUrl() {
        return url(Service.GATEWAY);
    }

    public int postgresPort() {
        return externalDatabase != null ? externalDatabase.port() : postgresPort;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    /** The database server in use while the suite runs (embedded or external). */
    public Optional<Database> database() {
        synchronized (lock) {
            return Optional.ofNullable(database != null ? database : externalDatabase);
        }
    }

    public Optional<String> kafkaBootstrapServers() {
        synchronized (lock) {
            return Optional.ofNullable(kafkaBootstrap != null ? kafkaBootstrap : externalKafka);
        }
    }

    /** PIDs of the started services, Kafka and PostgreSQL, by the name of their PID file. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        synchronized (lock) {
            if (embeddedDatabase != null) {
                postmasterPid().ifPresent(pid -> pids.put(POSTGRES, pid));
            }
            if (kafka != null) {
                pids.put(KAFKA, kafka.pid());
            }
            processes.forEach((s, p) -> pids.put(s.module(), p.pid()));
        }
        return pids;
    }

    /** Services whose process has exited although the suite was not stopped, with their exit code. */
    public Map<Service, Integer> exitedServices() {
        Map<Service, Integer> exited = new EnumMap<>(Service.class);
        synchronized (lock) {
            processes.forEach((s, p) -> {
                if (!p.isAlive()) {
                    exited.put(s, p.exitValue());
                }
            });
        }
        return exited;
    }

    public boolean kafkaAlive() {
        synchronized (lock) {
            return kafka == null || kafka.isAlive();
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private void progress(String message) {
        progress.accept(message);
    }

    private static String seconds(long t0) {
        return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
    }

    private static String rootMessage(Throwable e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        while (cause != null && cause != e) {
            if (cause.getMessage() != null && (message == null || !message.contains(cause.getMessage()))) {
                message = (message == null ? "" : message + ": ") + cause.getMessage();
            }
            e = cause;
            cause = cause.getCause();
        }
        return message == null ? e.getClass().getName() : message;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SuiteException("interrupted while starting Ensemble", e);
        }
    }

    // ---------------------------------------------------------------------------------- builder

    public static final class Builder {
        private Path home;
        private Path root = Path.of("");
        private final Map<Service, Integer> ports = new EnumMap<>(Service.class);
        private int postgresPort = DEFAULT_POSTGRES_PORT;
        private int kafkaPort = DEFAULT_KAFKA_PORT;
        private int kafkaControllerPort = DEFAULT_KAFKA_CONTROLLER_PORT;
        private Database externalDatabase;
        private String externalKafka;
        private final Map<String, String> commonEnv = new LinkedHashMap<>();
        private final Map<Service, Map<String, String>> serviceEnv = new EnumMap<>(Service.class);
        private final EnumSet<Service> services = EnumSet.allOf(Service.class);
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
        private Consumer<String> progress = message -> { };

        private Builder() {
            for (Service s : Service.values()) {
                ports.put(s, s.defaultPort());
            }
        }

        /** The directory for data, logs and PID files (e.g. {@code .ensemble}). */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** The repository root, where {@code <module>/target/quarkus-app/quarkus-run.jar} are found. */
        public Builder repositoryRoot(Path root) {
            this.root = root;
            return this;
        }

        /** A service's HTTP port; 0 for a free one. */
        public Builder port(Service service, int port) {
            ports.put(service, port);
            return this;
        }

        public Builder gatewayPort(int port) {
            return port(Service.GATEWAY, port);
        }

        public Builder authPort(int port) {
            return port(Service.AUTH, port);
        }

        public Builder inferencePort(int port) {
            return port(Service.INFERENCE, port);
        }

        public Builder jobPort(int port) {
            return port(Service.JOB, port);
        }

        public Builder gpuBrokerPort(int port) {
            return port(Service.GPU_BROKER, port);
        }

        public Builder billingPort(int port) {
            return port(Service.BILLING, port);
        }

        /** The embedded PostgreSQL's port; 0 for a free one. */
        public Builder postgresPort(int port) {
            this.postgresPort = port;
            return this;
        }

        /** The embedded Kafka broker's client and controller ports; 0 for free ones. */
        public Builder kafkaPorts(int port, int controllerPort) {
            this.kafkaPort = port;
            this.kafkaControllerPort = controllerPort;
            return this;
        }

        /** Every port (services, PostgreSQL, Kafka) chosen free at the first start. */
        public Builder randomPorts() {
            ports.replaceAll((s, p) -> 0);
            postgresPort = 0;
            kafkaPort = 0;
            kafkaControllerPort = 0;
            return this;
        }

        /** Uses an existing PostgreSQL server instead of the embedded one. */
        public Builder externalDatabase(String host, int port, String user, String password) {
            this.externalDatabase = new Database(host, port, user, password);
            return this;
        }

        /** Uses an existing Kafka broker instead of starting one. */
        public Builder externalKafka(String bootstrapServers) {
            this.externalKafka = bootstrapServers;
            return this;
        }

        /** An extra environment variable for one service. */
        public Builder env(Service service, String name, String value) {
            serviceEnv.computeIfAbsent(service, k -> new LinkedHashMap<>()).put(name, value);
            return this;
        }

        /** An extra environment variable for every service. */
        public Builder env(String name, String value) {
            commonEnv.put(name, value);
            return this;
        }

        /**
         * Starts only these services (default: all six); useful while some are not built. With none,
         * the suite is PostgreSQL and Kafka alone.
         */
        public Builder services(Collection<Service> only) {
            services.clear();
            services.addAll(only);
            return this;
        }

        /** How long each service may take to become ready (default 180 s). */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Receives one line per step (PostgreSQL ready, a service ready, ...). */
        public Builder progress(Consumer<String> progress) {
            this.progress = progress;
            return this;
        }

        public Suite build() {
            return new Suite(this);
        }
    }
}
