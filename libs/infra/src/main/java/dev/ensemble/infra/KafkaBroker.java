package dev.ensemble.infra;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker in KRaft mode (broker and controller in one node), run as a child
 * JVM from the jars that Maven resolved for {@code ensemble-kafka-dist}. Its log directory
 * survives restarts when the caller keeps the same directory.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Process process;
    private final String bootstrapServers;
    private final Path logFile;

    private KafkaBroker(Process process, String bootstrapServers, Path logFile) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.logFile = logFile;
    }

    /**
     * Formats the storage when needed, starts the broker and waits until it answers.
     *
     * @param dir            the broker's home (config, data, log)
     * @param port           client port (0 for a free one)
     * @param controllerPort controller port (0 for a free one)
     * @param startTimeout   how long to wait for the broker to answer
     */
    public static KafkaBroker start(Path dir, int port, int controllerPort, Duration startTimeout) {
        try {
            Files.createDirectories(dir);
            int clientPort = port > 0 ? port : Ports.free();
            int ctrlPort = controllerPort > 0 ? controllerPort : Ports.free();
            Path dataDir = dir.resolve("data");
            Path config = dir.resolve("server.properties");
            Files.writeString(config, serverProperties(clientPort, ctrlPort, dataDir));
            Path log4j = dir.resolve("log4j2.properties");
            try (InputStream in = resource("ensemble/kafka-log4j2.properties")) {
                Files.write(log4j, in.readAllBytes());
            }
            String classpath = brokerClasspath();
            Path logFile = dir.resolve("kafka.log");

            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                Process format = new ProcessBuilder(javaCommand(classpath, log4j,
                        "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                        "-c", config.toString(), "--standalone"))
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("format.log").toFile())
                        .start();
                if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    format.destroyForcibly();
                    throw new IllegalStateException("formatting Kafka storage failed; see "
                            + dir.resolve("format.log") + ": " + tail(dir.resolve("format.log")));
                }
            }

            Process broker = new ProcessBuilder(javaCommand(classpath, log4j, "kafka.Kafka", config.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            String bootstrap = "127.0.0.1:" + clientPort;
            KafkaBroker kafka = new KafkaBroker(broker, bootstrap, logFile);
            kafka.awaitReady(startTimeout);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("Kafka broker failed to start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        }
    }

    private static String serverProperties(int clientPort, int controllerPort, Path dataDir) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + clientPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                "") ;
    }

    private static List<String> javaCommand(String classpath, Path log4j, String main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "-cp", classpath, main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The broker's class path, written by the kafka-dist module at build time. */
    static String brokerClasspath() throws IOException {
        try (InputStream in = resource("ensemble/kafka-classpath.txt")) {
            String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            for (String entry : cp.split(java.io.File.pathSeparator)) {
                if (!Files.exists(Path.of(entry))) {
                    throw new IllegalStateException("Kafka jar missing: " + entry
                            + " (run ./mvnw -B -DskipTests install to fetch it)");
                }
            }
            return cp;
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = KafkaBroker.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " not on the class path (is ensemble-kafka-dist built?)");
        }
        return in;
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka broker exited with " + process.exitValue()
                        + "; see " + logFile + ": " + tail(logFile));
            }
            try (Admin admin = admin(Duration.ofSeconds(3))) {
                admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                Thread.sleep(250);
            }
        }
        close();
        throw new IllegalStateException("Kafka broker did not answer within " + timeout + "; see " + logFile);
    }

    private Admin admin(Duration timeout) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()));
    }

    /** Creates the topics that do not exist yet (3 partitions, replication factor 1). */
    public void createTopics(Collection<String> topics) {
        try (Admin admin = admin(Duration.ofSeconds(30))) {
            List<NewTopic> wanted = topics.stream().map(t -> new NewTopic(t, 3, (short) 1)).toList();
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("topic creation timed out", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        Processes.stop(process.toHandle(), Duration.ofSeconds(20));
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
