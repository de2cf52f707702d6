package dev.ensemble.testing;

import dev.ensemble.events.Topics;
import dev.ensemble.infra.Database;
import dev.ensemble.infra.EmbeddedDatabase;
import dev.ensemble.infra.KafkaBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One PostgreSQL server and one Kafka broker per test JVM, started on first use and stopped when
 * the JVM exits. {@code ENSEMBLE_TEST_DB_HOST} (with {@code _PORT}, {@code _USER},
 * {@code _PASSWORD}) and {@code ENSEMBLE_TEST_KAFKA} name existing servers to use instead.
 */
public final class TestInfrastructure {

    private static Database database;
    private static String kafkaBootstrap;

    private TestInfrastructure() {
    }

    public static synchronized Database database() {
        if (database == null) {
            String host = System.getenv("ENSEMBLE_TEST_DB_HOST");
            if (host != null && !host.isBlank()) {
                database = new Database(host, intEnv("ENSEMBLE_TEST_DB_PORT", 5432),
                        env("ENSEMBLE_TEST_DB_USER", "postgres"), env("ENSEMBLE_TEST_DB_PASSWORD", ""));
            } else {
                EmbeddedDatabase pg = EmbeddedDatabase.start(null, 0);
                Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
                database = pg.database();
            }
        }
        return database;
    }

    public static synchronized String kafkaBootstrapServers() {
        if (kafkaBootstrap == null) {
            String external = System.getenv("ENSEMBLE_TEST_KAFKA");
            if (external != null && !external.isBlank()) {
                kafkaBootstrap = external;
            } else {
                try {
                    Path dir = Files.createTempDirectory("ensemble-kafka-test");
                    KafkaBroker broker = KafkaBroker.start(dir, 0, 0, Duration.ofSeconds(120));
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        broker.close();
                        deleteQuietly(dir);
                    }));
                    broker.createTopics(Topics.all());
                    kafkaBootstrap = broker.bootstrapServers();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return kafkaBootstrap;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static int intEnv(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v);
    }

    static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is a temporary directory
        }
    }
}
