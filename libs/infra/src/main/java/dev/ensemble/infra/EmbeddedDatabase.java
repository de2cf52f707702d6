package dev.ensemble.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded PostgreSQL server (zonky binaries from Maven Central). With a data directory the
 * cluster survives restarts; without one it lives in a temporary directory.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final Database database;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        this.database = new Database("127.0.0.1", postgres.getPort(), "postgres", "postgres");
    }

    /**
     * Starts PostgreSQL.
     *
     * @param dataDir where the cluster lives (kept across restarts), or null for a throw-away one
     * @param port    the port, or 0 for a free one
     */
    public static EmbeddedDatabase start(Path dataDir, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", dataDir == null ? "off" : "on")
                    .setServerConfig("synchronous_commit", dataDir == null ? "off" : "on");
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDir != null) {
                Files.createDirectories(dataDir.getParent());
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
                Path work = dataDir.resolveSibling("pg-binaries");
                Files.createDirectories(work);
                builder.setOverrideWorkingDirectory(work.toFile());
            }
            return new EmbeddedDatabase(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL failed to start: " + e.getMessage(), e);
        }
    }

    public Database database() {
        return database;
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
