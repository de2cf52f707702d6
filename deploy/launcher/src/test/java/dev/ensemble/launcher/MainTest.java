package dev.ensemble.launcher;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @AfterEach
    void cleanUp() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private Main main() {
        return new Main(Map.of("ENSEMBLE_HOME", dir.resolve("home").toString()), dir,
                new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    private Process spawn(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }

    @Test
    void downLeavesAloneProcessesThatAreNotOurs() throws Exception {
        Main main = main();
        Process stranger = spawn("sleep", "300");
        main.home().writePid("launcher", stranger.pid());
        main.home().writePid("auth-service", stranger.pid());
        main.home().writePid("postgres", stranger.pid());

        assertEquals(0, main.down());

        assertTrue(stranger.isAlive(), "a process that is not ours must survive down");
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("leaving it alone"), output.toString());
        assertFalse(Files.exists(main.home().pidFile("auth-service")), "stale PID files are removed");
        assertFalse(Files.exists(main.home().pidFile("launcher")));
    }

    @Test
    void downStopsAServiceLeftBehindByAKilledLauncher() throws Exception {
        Main main = main();
        // Looks like a service started by the launcher: the jar path is on its command line.
        Process orphan = spawn("bash", "-c", "sleep 300; true", "x",
                dir.resolve("billing-service/target/quarkus-app/quarkus-run.jar").toString());
        main.home().writePid("billing-service", orphan.pid());

        assertEquals(0, main.down());

        assertTrue(orphan.waitFor(10, TimeUnit.SECONDS), "the orphaned service is stopped");
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("Stopping billing-service left behind"),
                output.toString());
    }

    @Test
    void downWithNothingRunning() {
        Main main = main();
        assertEquals(0, main.down());
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("Ensemble is not running"));
    }

    @Test
    void statusWhenNotRunning() {
        assertEquals(3, main().status());
        String out = output.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("gateway-service"), out);
        assertTrue(out.contains("not running"), out);
    }

    @Test
    void configurationFromEnvironment() {
        Main main = new Main(Map.of("ENSEMBLE_HOME", dir.toString(), "ENSEMBLE_GATEWAY_PORT", "9090",
                "ENSEMBLE_GPU_BROKER_PORT", "9094", "ENSEMBLE_PG_PORT", "25432"), dir, System.out);
        Suite suite = main.configure().build();
        assertEquals(9090, suite.port(Service.GATEWAY));
        assertEquals(9094, suite.port(Service.GPU_BROKER));
        assertEquals(8081, suite.port(Service.AUTH));
        assertEquals(25432, suite.postgresPort());
        assertEquals("http://127.0.0.1:9090", suite.gatewayUrl());
        assertEquals(Duration.ofSeconds(180), Suite.DEFAULT_READY_TIMEOUT);
    }

    @Test
    void serviceNames() {
        assertEquals(Service.GPU_BROKER, Service.byName("gpu-broker").orElseThrow());
        assertEquals(Service.GPU_BROKER, Service.byName("gpu_broker").orElseThrow());
        assertEquals(Service.AUTH, Service.byName("auth-service").orElseThrow());
        assertTrue(Service.byName("nope").isEmpty());
    }

    @Test
    void logTailStartsAfterTheLastStart() throws Exception {
        Path log = dir.resolve("x.log");
        Files.writeString(log, "old 1\nold 2\n" + Suite.LOG_MARKER + "start ====\nnew 1\nnew 2\n");
        assertEquals("new 1\nnew 2", Home.tail(log, 10, Suite.LOG_MARKER));
        assertEquals("new 2", Home.tail(log, 1, Suite.LOG_MARKER));
    }
}
