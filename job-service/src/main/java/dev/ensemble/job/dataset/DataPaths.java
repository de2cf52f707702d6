package dev.ensemble.job.dataset;

import dev.ensemble.job.config.JobConfig;
import dev.ensemble.web.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Where a user's data lives and what a {@code data_path} may name: only files inside the user's own
 * folder of the data root. {@code /data/x} and {@code x} both mean {@code <root>/<user>/x}; any other
 * absolute path, any {@code ..}, and any symbolic link leading out of the folder are refused.
 */
@ApplicationScoped
public class DataPaths {

    public static final String PREFIX = "/data/";

    @Inject
    JobConfig config;

    public Path root() {
        return Path.of(config.dataRoot()).toAbsolutePath().normalize();
    }

    public Path userRoot(UUID owner) {
        return root().resolve(owner.toString());
    }

    /** The file {@code dataPath} names for {@code owner}; 400 naming {@code field} when it is not allowed or absent. */
    public Path resolve(UUID owner, String dataPath, String field) {
        if (dataPath == null || dataPath.isBlank()) {
            throw ApiException.badRequest(field, "is required");
        }
        if (dataPath.length() > 1000 || dataPath.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field, "is not a valid path");
        }
        String rel = dataPath.trim().replace('\\', '/');
        if (rel.startsWith(PREFIX)) {
            rel = rel.substring(PREFIX.length());
        } else if (rel.startsWith("/")) {
            throw ApiException.badRequest(field, "must be a path inside your data folder (/data/... or relative), "
                    + "as returned by POST /api/v1/datasets");
        }
        for (String part : rel.split("/")) {
            if (part.equals("..")) {
                throw ApiException.badRequest(field, "must not contain '..'");
            }
        }
        Path base = userRoot(owner);
        Path target;
        try {
            target = base.resolve(rel).normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badRequest(field, "is not a valid path");
        }
        if (!target.startsWith(base)) {
            throw ApiException.badRequest(field, "must stay inside your data folder");
        }
        if (!Files.exists(target)) {
            throw ApiException.badRequest(field, "does not exist; upload it with POST /api/v1/datasets first");
        }
        try {
            Path real = target.toRealPath();
            Path realBase = base.toRealPath();
            if (!real.startsWith(realBase)) {
                throw ApiException.badRequest(field, "leads out of your data folder");
            }
            return real;
        } catch (IOException e) {
            throw ApiException.badRequest(field, "cannot be read");
        }
    }

    /** The {@code data_path} users give for a file or folder under their own folder. */
    public String dataPathOf(UUID owner, Path file) {
        return PREFIX + userRoot(owner).relativize(file).toString().replace('\\', '/');
    }
}
