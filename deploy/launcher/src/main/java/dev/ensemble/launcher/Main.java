package dev.ensemble.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The command line behind {@code ./ensemble}: {@code supervise}, {@code down}, {@code status}.
 * Configuration comes from the environment (see deploy/README.md).
 */
public final class Main {

    static final String LAUNCHER = "launcher";
    static final String MAIN_CLASS = Main.class.getName();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Map<String, String> env;
    private final Path root;
    private final Home home;
    private final PrintStream out;

    Main(Map<String, String> env, Path root, PrintStream out) {
        this.env = env;
        this.root = root.toAbsolutePath().normalize();
        String homeVar = env.get("ENSEMBLE_HOME");
        this.home = new Home(homeVar == null || homeVar.isBlank() ? this.root.resolve(".ensemble") : Path.of(homeVar));
        this.out = out;
    }

    public static void main(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        Main main;
        try {
            main = new Main(System.getenv(), repositoryRoot(), System.out);
        } catch (RuntimeException e) {
            System.err.println("ensemble: " + e.getMessage());
            System.exit(2);
            return;
        }
        int code = switch (command) {
            case "supervise" -> main.supervise();
            case "down" -> main.down();
            case "status" -> main.status();
            default -> {
                System.err.println("usage: java -cp ... " + MAIN_CLASS + " supervise | down | status");
                yield "help".equals(command) ? 0 : 2;
            }
        };
        System.exit(code);
    }

    /** {@code -Densemble.root}, else the directory four levels above this jar (deploy/launcher/target/x.jar), else the working directory. */
    static Path repositoryRoot() {
        String property = System.getProperty("ensemble.root");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path candidate = jar.getParent().getParent().getParent().getParent();
            if (candidate != null && Files.exists(candidate.resolve("deploy").resolve("launcher"))) {
                return candidate;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through
        }
        return Path.of("").toAbsolutePath();
    }

    Home home() {
        return home;
    }

    // ------------------------------------------------------------------------------- configuration

    /** A suite configured from the environment: ports, external PostgreSQL or Kafka, timeout. */
    Suite.Builder configure() {
        Suite.Builder b = Suite.builder().home(home.dir()).repositoryRoot(root);
        for (Service s : Service.values()) {
            b.port(s, intVar(s.portVariable(), s.defaultPort()));
        }
        String dbHost = var("ENSEMBLE_DB_HOST");
        if (dbHost != null) {
            b.externalDatabase(dbHost, intVar("ENSEMBLE_DB_PORT", 5432),
                    Optional.ofNullable(var("ENSEMBLE_DB_USER")).orElse("postgres"),
                    Optional.ofNullable(env.get("ENSEMBLE_DB_PASSWORD")).orElse("postgres"));
        } else {
            b.postgresPort(intVar("ENSEMBLE_PG_PORT", Suite.DEFAULT_POSTGRES_PORT));
        }
        String kafka = var("ENSEMBLE_KAFKA_BOOTSTRAP");
        if (kafka != null) {
            b.externalKafka(kafka);
        } else {
            b.kafkaPorts(intVar("ENSEMBLE_KAFKA_PORT", Suite.DEFAULT_KAFKA_PORT),
                    intVar("ENSEMBLE_KAFKA_CONTROLLER_PORT", Suite.DEFAULT_KAFKA_CONTROLLER_PORT));
        }
        b.readyTimeout(Duration.ofSeconds(intVar("ENSEMBLE_READY_TIMEOUT", (int) Suite.DEFAULT_READY_TIMEOUT.toSeconds())));
        String only = var("ENSEMBLE_SERVICES");
        if (only != null) {
            Set<Service> chosen = EnumSet.noneOf(Service.class);
            for (String name : only.split("[,\\s]+")) {
                chosen.add(Service.byName(name).orElseThrow(() ->
                        new IllegalArgumentException("ENSEMBLE_SERVICES: unknown service '" + name + "'")));
            }
            b.services(chosen);
        }
        return b;
    }

    private String var(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private int intVar(String name, int fallback) {
        String v = var(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
        }
    }

    // ----------------------------------------------------------------------------------- supervise

    /** Starts the suite in the foreground and keeps it up until SIGTERM. */
    int supervise() {
        home.createDirectories();
        home.writePid(LAUNCHER, ProcessHandle.current().pid());
        home.writeState("starting");
        Suite suite;
        try {
            suite = configure().progress(this::say).build();
        } catch (RuntimeException e) {
            home.writeState("failed:" + e.getMessage());
            say("FAILED: " + e.getMessage());
            home.deletePid(LAUNCHER);
            return 1;
        }
        say("starting Ensemble from " + root + " with home " + home.dir() + " (launcher pid "
                + ProcessHandle.current().pid() + ")");
        // SIGTERM (and Ctrl-C) stop the suite in order: services, Kafka, PostgreSQL. A signal handler
        // runs before any shutdown hook, so embedded PostgreSQL's own hook cannot stop the database
        // under running services; the hook below covers the other ways a JVM ends.
        AtomicBoolean shuttingDown = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (shuttingDown.compareAndSet(false, true)) {
                say("stopping Ensemble");
                suite.stop();
                home.writeState("stopped");
                home.deletePid(LAUNCHER);
                say("Ensemble stopped");
            }
        };
        for (String signal : List.of("TERM", "INT", "HUP")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), sig -> {
                    new Thread(() -> {
                        say("received SIG" + sig.getName());
                        shutdown.run();
                        System.exit(0);
                    }, "ensemble-stop").start();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // this platform has no such signal; the shutdown hook remains
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "ensemble-shutdown"));
        try {
            suite.start();
        } catch (RuntimeException e) {
            if (shuttingDown.get() || suite.isStopping()) {
                // stopped by a signal while starting: the stopping thread writes the state and exits
                sleepForever();
            }
            String reason = e instanceof SuiteException ? e.getMessage() : e.toString();
            shuttingDown.set(true);
            home.writeState("failed:" + reason);
            say("FAILED: " + reason);
            home.deletePid(LAUNCHER);
            return 1;
        }
        if (shuttingDown.get()) {
            sleepForever();
        }
        home.writeState("ready");
        say(suite.services().contains(Service.GATEWAY)
                ? "ready: gateway on http://localhost:" + suite.port(Service.GATEWAY)
                : "ready (without the gateway)");
        monitor(suite);
        return 0;
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // keep waiting for System.exit from the stopping thread
            }
        }
    }

    /** Keeps the supervisor alive, reporting (once) any component that exits on its own. */
    private void monitor(Suite suite) {
        Set<Service> reported = EnumSet.noneOf(Service.class);
        boolean kafkaReported = false;
        while (true) {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                return;
            }
            if (!suite.isRunning()) {
                continue;
            }
            for (var exited : suite.exitedServices().entrySet()) {
                if (reported.add(exited.getKey())) {
                    say("WARNING: " + exited.getKey().module() + " exited with code " + exited.getValue()
                            + "; see " + home.log(exited.getKey().module()));
                }
            }
            if (!kafkaReported && !suite.kafkaAlive()) {
                kafkaReported = true;
                say("WARNING: the Kafka broker exited; see " + home.kafkaDir().resolve("kafka.log"));
            }
        }
    }

    private void say(String message) {
        out.println("ensemble: " + LocalTime.now().format(TIME) + " " + message);
    }

    // ---------------------------------------------------------------------------------------- down

    /**
     * Stops the supervisor by its PID (it stops what it started); when it is gone but components
     * it started still run, stops those by their PID files, and only when they are still ours.
     */
    int down() {
        boolean stoppedSomething = false;
        Optional<Long> launcherPid = home.readPid(LAUNCHER);
        if (launcherPid.isPresent()) {
            Optional<ProcessHandle> handle = ProcessHandle.of(launcherPid.get()).filter(ProcessHandle::isAlive);
            if (handle.isPresent() && isLauncher(handle.get())) {
                int timeout = intVar("ENSEMBLE_DOWN_TIMEOUT", 60);
                out.println("Stopping Ensemble (launcher pid " + launcherPid.get() + ") ...");
                handle.get().destroy();
                if (!waitForExit(handle.get(), timeout)) {
                    out.println("The launcher did not stop within " + timeout + " s; killing it (see "
                            + home.log(LAUNCHER) + ")");
                    handle.get().destroyForcibly();
                    waitForExit(handle.get(), 10);
                }
                stoppedSomething = true;
            } else if (handle.isPresent()) {
                out.println("PID " + launcherPid.get() + " in " + home.pidFile(LAUNCHER)
                        + " is not the Ensemble launcher any more; leaving it alone.");
            }
            home.deletePid(LAUNCHER);
        }
        // Components left behind by a supervisor that was killed: gateway first, PostgreSQL last.
        List<String> names = new ArrayList<>();
        names.add(Service.GATEWAY.module());
        Service.backends().forEach(s -> names.add(s.module()));
        names.add(Suite.KAFKA);
        names.add(Suite.POSTGRES);
        for (String name : names) {
            Optional<Long> pid = home.readPid(name);
            if (pid.isEmpty()) {
                continue;
            }
            Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
            if (handle.isPresent() && isOurs(name).test(handle.get())) {
                out.println("Stopping " + name + " left behind (pid " + pid.get() + ") ...");
                handle.get().destroy();
                if (!waitForExit(handle.get(), 30)) {
                    handle.get().destroyForcibly();
                    waitForExit(handle.get(), 10);
                }
                stoppedSomething = true;
            } else if (handle.isPresent()) {
                out.println("PID " + pid.get() + " in " + home.pidFile(name) + " is not our " + name
                        + " any more; leaving it alone.");
            }
            home.deletePid(name);
        }
        if (stoppedSomething) {
            if (!home.readState().orElse("").startsWith("failed:")) {
                home.writeState("stopped");
            }
            out.println("Ensemble is stopped.");
        } else {
            out.println("Ensemble is not running.");
        }
        return 0;
    }

    private static boolean waitForExit(ProcessHandle handle, int seconds) {
        try {
            handle.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return !handle.isAlive();
        }
    }

    static boolean isLauncher(ProcessHandle handle) {
        return commandLine(handle).map(c -> c.contains(MAIN_CLASS)).orElse(false);
    }

    /** Recognises a process this home started from its command line (empty when unreadable: not ours). */
    Predicate<ProcessHandle> isOurs(String name) {
        if (Suite.KAFKA.equals(name)) {
            return h -> commandLine(h).map(c -> (c.contains("kafka.Kafka") || c.contains("log4j2.properties"))
                    && c.contains(home.kafkaDir().toString())).orElse(false);
        }
        if (Suite.POSTGRES.equals(name)) {
            return h -> commandLine(h).map(c -> c.contains("postgres") && c.contains(home.postgresData().toString()))
                    .orElse(false);
        }
        String jar = Path.of(name, "target", "quarkus-app", "quarkus-run.jar").toString();
        return h -> commandLine(h).map(c -> c.contains(jar)).orElse(false);
    }

    static Optional<String> commandLine(ProcessHandle handle) {
        // The JDK cuts the command line at 4 KiB; the Kafka broker's class path is longer than that.
        Path proc = Path.of("/proc", String.valueOf(handle.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) {
                String full = Files.readString(proc, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').trim();
                if (!full.isEmpty()) {
                    return Optional.of(full);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall back to what the JDK says
        }
        Optional<String> line = handle.info().commandLine();
        if (line.isPresent()) {
            return line;
        }
        // Some platforms give the command and its arguments but not the line.
        return handle.info().command().map(cmd -> cmd + " " + String.join(" ", handle.info().arguments().orElse(new String[0])));
    }

    // -------------------------------------------------------------------------------------- status

    /** One line per component: PID, alive, health. Exit 0 when all is well, 3 when not running, 1 otherwise. */
    int status() {
        String state = home.readState().orElse("never started");
        Properties suite = new Properties();
        if (Files.exists(home.suiteProperties())) {
            try (var in = Files.newBufferedReader(home.suiteProperties())) {
                suite.load(in);
            } catch (IOException e) {
                // defaults below
            }
        }
        Suite.Builder defaults;
        try {
            defaults = configure();
        } catch (RuntimeException e) {
            defaults = Suite.builder();
        }
        Suite configured = defaults.home(home.dir()).repositoryRoot(root).build();

        out.println("Ensemble home: " + home.dir());
        String firstLine = state.lines().findFirst().orElse(state);
        boolean supervisorRuns = home.readPid(LAUNCHER).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive).filter(Main::isLauncher).isPresent();
        String stale = !supervisorRuns && (firstLine.equals("ready") || firstLine.equals("starting"))
                ? " (stale: the launcher is not running)" : "";
        out.println("State: " + firstLine + stale + (state.contains("\n") ? " ... (see " + home.log(LAUNCHER) + ")" : ""));
        out.printf("%-20s %-8s %-6s %s%n", "COMPONENT", "PID", "ALIVE", "HEALTH");

        boolean launcherAlive = printRow(LAUNCHER, Main::isLauncher, () -> "-");
        boolean allGood = launcherAlive;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();

        Map<String, Probe> rows = new LinkedHashMap<>();
        if (!"false".equals(suite.getProperty("postgres.embedded"))) {
            int port = Integer.parseInt(suite.getProperty("postgres.port", String.valueOf(configured.postgresPort())));
            rows.put(Suite.POSTGRES, () -> tcp("127.0.0.1", port));
        }
        if (!"false".equals(suite.getProperty("kafka.embedded"))) {
            String bootstrap = suite.getProperty("kafka.bootstrap", "127.0.0.1:" + configured.kafkaPort());
            int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
            rows.put(Suite.KAFKA, () -> tcp("127.0.0.1", port));
        }
        for (Service s : Service.values()) {
            String url = suite.getProperty(s.module() + ".url", "http://127.0.0.1:" + configured.port(s));
            rows.put(s.module(), () -> ready(http, url));
        }
        for (var row : rows.entrySet()) {
            allGood &= printRow(row.getKey(), isOurs(row.getKey()), row.getValue());
        }
        if (!launcherAlive) {
            if (state.startsWith("failed:")) {
                out.println("Ensemble failed to start; see " + home.log(LAUNCHER));
            } else if (!allGood) {
                out.println("Ensemble is not running (./ensemble up starts it).");
            }
            boolean leftovers = rows.keySet().stream().anyMatch(n -> home.readPid(n).flatMap(ProcessHandle::of)
                    .filter(ProcessHandle::isAlive).filter(isOurs(n)).isPresent());
            if (leftovers) {
                out.println("Components of an earlier run are still running without their launcher: ./ensemble down stops them.");
            }
            return 3;
        }
        return allGood && "ready".equals(firstLine) ? 0 : 1;
    }

    interface Probe {
        String check();
    }

    /** Prints one row; true when the component runs and is healthy. */
    private boolean printRow(String name, Predicate<ProcessHandle> ours, Probe probe) {
        Optional<Long> pid = home.readPid(name);
        boolean alive = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive).filter(ours).isPresent();
        String health = alive ? probe.check() : "-";
        out.printf("%-20s %-8s %-6s %s%n", name, pid.map(String::valueOf).orElse("-"), alive ? "yes" : "no", health);
        return alive && (health.equals("-") || health.startsWith("UP") || health.startsWith("listening"));
    }

    private static String tcp(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return "listening on " + host + ":" + port;
        } catch (IOException e) {
            return "not listening on " + host + ":" + port;
        }
    }

    private static String ready(HttpClient http, String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return (r.statusCode() == 200 ? "UP" : "DOWN (HTTP " + r.statusCode() + ")") + " " + url;
        } catch (IOException e) {
            return "no answer from " + url;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
