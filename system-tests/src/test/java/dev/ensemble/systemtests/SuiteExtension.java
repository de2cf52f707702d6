package dev.ensemble.systemtests;

import dev.ensemble.launcher.Suite;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;

/**
 * Boots ONE suite for every system test of the run, the way {@code ./ensemble up} does: PostgreSQL,
 * Kafka and the six packaged services, each on a free random port (never 8080, so it does not
 * collide with a suite a developer is running), with its home in {@code target/suite-home} so that
 * the logs are there to read after a failure. It is stopped when the whole test run ends.
 * A failed start is remembered: later test classes fail at once with the same message.
 */
public final class SuiteExtension implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SuiteExtension.class);
    private static volatile RunningSuite current;

    @Override
    public void beforeAll(ExtensionContext context) {
        RunningSuite running = context.getRoot().getStore(NAMESPACE).computeIfAbsent(RunningSuite.class);
        running.check();
        current = running;
    }

    /** The suite of this test run. */
    public static Suite suite() {
        if (current == null) {
            throw new IllegalStateException("no suite: is the test annotated with @ExtendWith(SuiteExtension.class)?");
        }
        return current.suite;
    }

    /** Held in the root store; JUnit closes it (stopping the suite) when the run ends. */
    public static final class RunningSuite implements AutoCloseable {

        final Suite suite;
        private final RuntimeException failure;

        public RunningSuite() {
            Path root = Path.of(System.getProperty("ensemble.root", "..")).toAbsolutePath().normalize();
            Path home = Path.of(System.getProperty("ensemble.test.home", "target/suite-home")).toAbsolutePath();
            deleteRecursively(home);
            Duration timeout = Duration.ofSeconds(Long.getLong("ensemble.test.ready-timeout", 240));
            suite = Suite.builder()
                    .home(home)
                    .repositoryRoot(root)
                    .randomPorts()
                    .readyTimeout(timeout)
                    .progress(message -> System.out.println("[suite] " + message))
                    .build();
            // A test JVM that is killed (a cancelled build, a fork timeout) still stops what it started.
            Runtime.getRuntime().addShutdownHook(new Thread(suite::stop, "system-tests-suite-stop"));
            RuntimeException failed = null;
            long t0 = System.nanoTime();
            try {
                suite.start();
                System.out.printf("[suite] started in %.1f s; gateway %s; logs in %s%n",
                        (System.nanoTime() - t0) / 1e9, suite.gatewayUrl(), suite.home().logs());
            } catch (RuntimeException e) {
                failed = e;
            }
            failure = failed;
        }

        void check() {
            if (failure != null) {
                throw new IllegalStateException("The suite did not start (logs in " + suite.home().logs() + "): "
                        + failure.getMessage(), failure);
            }
        }

        @Override
        public void close() {
            suite.stop();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }
}
