package dev.ensemble.bench;

import dev.ensemble.launcher.Service;
import dev.ensemble.launcher.Suite;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway started by the bench instead of the launcher, with JVM options of the bench's
 * choosing (the launcher's are fixed), but the environment the launcher would give it.
 */
final class OwnGateway {

    private OwnGateway() {
    }

    static Process start(Suite suite, Path root, String javaOptions, Path log) throws Exception {
        suite.database().ifPresent(db -> db.ensureDatabase(Service.GATEWAY.database()));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opt : javaOptions.trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                command.add(opt);
            }
        }
        command.add("-jar");
        command.add(Service.GATEWAY.jar(root).toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(suite.environment(Service.GATEWAY));
        Process process = pb.start();
        System.out.println("gateway: started by the bench (pid " + process.pid() + "): " + String.join(" ", command));
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create(suite.url(Service.GATEWAY) + "/q/health/ready");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        stop(process);
        throw new IllegalStateException("the gateway was not ready in 180 s; see " + log);
    }

    static void stop(Process process) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
