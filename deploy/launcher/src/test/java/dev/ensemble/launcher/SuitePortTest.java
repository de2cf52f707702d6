package dev.ensemble.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A port already taken stops the start before anything runs, with a message naming the port. */
class SuitePortTest {

    @TempDir
    Path home;

    @Test
    void takenServicePortIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Suite suite = Suite.builder().home(home).repositoryRoot(home).randomPorts().gatewayPort(port).build();

            SuiteException e = assertThrows(SuiteException.class, suite::start);

            assertTrue(e.getMessage().contains("port " + port), e.getMessage());
            assertTrue(e.getMessage().contains("gateway-service"), e.getMessage());
            assertTrue(e.getMessage().contains("ENSEMBLE_GATEWAY_PORT"), e.getMessage());
            assertFalse(suite.isRunning());
            assertEquals(List.of(), listPidFiles());
        }
    }

    @Test
    void takenInfrastructurePortsAreNamed() throws Exception {
        try (ServerSocket pg = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket kafka = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Suite suite = Suite.builder().home(home).repositoryRoot(home).randomPorts()
                    .postgresPort(pg.getLocalPort()).kafkaPorts(kafka.getLocalPort(), 0).build();

            SuiteException e = assertThrows(SuiteException.class, suite::start);

            assertTrue(e.getMessage().contains("port " + pg.getLocalPort() + " needed by PostgreSQL"), e.getMessage());
            assertTrue(e.getMessage().contains("port " + kafka.getLocalPort() + " needed by Kafka"), e.getMessage());
        }
    }

    @Test
    void samePortTwiceIsRefused() {
        Suite suite = Suite.builder().home(home).repositoryRoot(home).randomPorts()
                .authPort(40123).billingPort(40123).build();

        SuiteException e = assertThrows(SuiteException.class, suite::start);

        assertTrue(e.getMessage().contains("port 40123 is configured for both auth-service"), e.getMessage());
    }

    @Test
    void missingJarsAreNamed() {
        Suite suite = Suite.builder().home(home).repositoryRoot(home).randomPorts().build();

        SuiteException e = assertThrows(SuiteException.class, suite::start);

        assertTrue(e.getMessage().contains("not built"), e.getMessage());
        assertTrue(e.getMessage().contains(Path.of("auth-service", "target", "quarkus-app", "quarkus-run.jar").toString()),
                e.getMessage());
    }

    private List<Path> listPidFiles() throws Exception {
        Path run = home.resolve("run");
        if (!Files.exists(run)) {
            return List.of();
        }
        try (var files = Files.list(run)) {
            return files.filter(f -> f.toString().endsWith(".pid")).toList();
        }
    }
}
