package dev.ensemble.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The layout of an Ensemble home directory (by default {@code .ensemble} under the repository root):
 * <pre>
 * data/postgres   PostgreSQL cluster (kept across restarts)    data/pg-binaries  unpacked PostgreSQL
 * data/kafka      Kafka broker config, log directory and log  data/keys         auth-service signing keys
 * logs/NAME.log   one log per service, launcher.log            run/NAME.pid      PIDs of what was started
 * run/state       starting | ready | failed:REASON | stopped  run/suite.properties  ports and URLs
 * cache/djl       DJL model cache
 * </pre>
 */
public record Home(Path dir) {

    public Home {
        dir = dir.toAbsolutePath().normalize();
    }

    public Path data() {
        return dir.resolve("data");
    }

    public Path postgresData() {
        return data().resolve("postgres");
    }

    public Path kafkaDir() {
        return data().resolve("kafka");
    }

    public Path keys() {
        return data().resolve("keys");
    }

    public Path logs() {
        return dir.resolve("logs");
    }

    public Path log(String name) {
        return logs().resolve(name + ".log");
    }

    public Path run() {
        return dir.resolve("run");
    }

    public Path pidFile(String name) {
        return run().resolve(name + ".pid");
    }

    public Path stateFile() {
        return run().resolve("state");
    }

    public Path suiteProperties() {
        return run().resolve("suite.properties");
    }

    public Path djlCache() {
        return dir.resolve("cache").resolve("djl");
    }

    /** Model storage shared by job-service (writes trained models) and inference-service (serves them). */
    public Path models() {
        return data().resolve("models");
    }

    /** Uploaded data sets, the root every training job's {@code data_path} must stay inside. */
    public Path datasets() {
        return data().resolve("datasets");
    }

    /** The shared secret of the services' internal endpoints ({@code /internal/...}), made at first start. */
    public Path internalTokenFile() {
        return keys().resolve("internal-token");
    }

    /** The internal token, generated (32 random bytes, hex) and kept owner-readable on first use. */
    public String internalToken() {
        Path file = internalTokenFile();
        try {
            if (Files.exists(file)) {
                String token = Files.readString(file).trim();
                if (token.length() >= 32) {
                    return token;
                }
            }
            byte[] bytes = new byte[32];
            new java.security.SecureRandom().nextBytes(bytes);
            String token = java.util.HexFormat.of().formatHex(bytes);
            Files.createDirectories(file.getParent());
            writeAtomically(file, token + "\n");
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the directory's permissions have to do
            }
            return token;
        } catch (IOException e) {
            throw new SuiteException("cannot read or create the internal token " + file + ": " + e.getMessage(), e);
        }
    }

    public void createDirectories() {
        try {
            for (Path p : List.of(data(), keys(), logs(), run(), djlCache(), models(), datasets())) {
                Files.createDirectories(p);
            }
        } catch (IOException e) {
            throw new SuiteException("cannot create the Ensemble home " + dir + ": " + e.getMessage(), e);
        }
    }

    public Optional<Long> readPid(String name) {
        Path file = pidFile(name);
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public void writePid(String name, long pid) {
        writeAtomically(pidFile(name), pid + "\n");
    }

    public void deletePid(String name) {
        try {
            Files.deleteIfExists(pidFile(name));
        } catch (IOException ignored) {
            // best effort
        }
    }

    public Optional<String> readState() {
        try {
            return Files.exists(stateFile()) ? Optional.of(Files.readString(stateFile()).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public void writeState(String state) {
        writeAtomically(stateFile(), state + "\n");
    }

    /** Writes through a temporary file and a rename, so that readers never see half a file. */
    static void writeAtomically(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The last {@code lines} lines of a log, starting no earlier than the last line that begins
     * with {@code marker} (the header the launcher writes before each start), when there is one.
     */
    public static String tail(Path log, int lines, String marker) {
        try {
            if (!Files.exists(log)) {
                return "(no log yet)";
            }
            long size = Files.size(log);
            byte[] bytes;
            try (var ch = Files.newByteChannel(log)) {
                long from = Math.max(0, size - 128 * 1024);
                ch.position(from);
                var buf = java.nio.ByteBuffer.allocate((int) (size - from));
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // read on
                }
                bytes = buf.array();
            }
            Deque<String> kept = new ArrayDeque<>();
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\\R")) {
                if (marker != null && line.startsWith(marker)) {
                    kept.clear();
                    continue;
                }
                kept.addLast(line);
                if (kept.size() > lines) {
                    kept.removeFirst();
                }
            }
            return kept.isEmpty() ? "(log is empty)" : String.join("\n", kept);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
