package dev.ensemble.launcher;

import dev.ensemble.events.Topics;
import dev.ensemble.infra.Database;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code ./ensemble down} and {@code up} rely on, at the infrastructure level: a suite stopped
 * and started again on the same home keeps its PostgreSQL data, its Kafka log and the files under
 * data/ (where auth-service keeps its keys), and leaves no PID files behind when stopped.
 * (system-tests RestartIT proves it with the services, with -Densemble.test.restart=true.)
 */
class SuitePersistenceIT {

    @TempDir
    Path home;

    @Test
    void databaseKafkaLogAndKeysSurviveARestart() throws Exception {
        String marker = "kept-" + UUID.randomUUID();
        try (Suite suite = Suite.builder().home(home).repositoryRoot(home).randomPorts().services(Set.of())
                .progress(m -> System.out.println("[suite] " + m)).build()) {
            suite.start();
            Database db = suite.database().orElseThrow();
            db.ensureDatabase("persistence_check");
            sql(db, "CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('" + marker + "')");
            String bootstrap = suite.kafkaBootstrapServers().orElseThrow();
            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                producer.send(new ProducerRecord<>(Topics.USER_EVENTS, marker, marker)).get(30, TimeUnit.SECONDS);
            }
            Files.writeString(home.resolve("data/keys/signing-key.test"), marker);
            int pgPort = suite.postgresPort();

            suite.stop();
            assertFalse(suite.isRunning());
            try (var pids = Files.list(home.resolve("run"))) {
                assertEquals(List.of(), pids.filter(p -> p.toString().endsWith(".pid")).toList(), "PID files left");
            }

            suite.start();
            assertEquals(pgPort, suite.postgresPort(), "ports are kept across a restart");
            assertEquals(marker, sql(suite.database().orElseThrow(), "SELECT v FROM kept"));
            assertTrue(topicHolds(suite.kafkaBootstrapServers().orElseThrow(), marker), "Kafka log kept");
            assertEquals(marker, Files.readString(home.resolve("data/keys/signing-key.test")));
        }
    }

    /** Runs the statements in persistence_check; returns the first column of the last one's first row. */
    private static String sql(Database db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("persistence_check"), db.user(), db.password());
             Statement s = c.createStatement()) {
            String result = null;
            for (String statement : statements) {
                if (s.execute(statement)) {
                    try (ResultSet rs = s.getResultSet()) {
                        result = rs.next() ? rs.getString(1) : null;
                    }
                }
            }
            return result;
        }
    }

    private static boolean topicHolds(String bootstrap, String value) {
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.USER_EVENTS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (value.equals(record.value())) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
