package dev.ensemble.inference.models;

import dev.ensemble.inference.config.InferenceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;

/** Model files under the storage root; nothing outside it is ever read or deleted. */
@ApplicationScoped
public class ModelStorage {

    @Inject
    InferenceConfig config;

    public Path root() {
        return Path.of(config.storageDir()).toAbsolutePath().normalize();
    }

    /** Moves an uploaded temporary file into {@code uploads/<owner>/<model>/} and answers its relative path. */
    public String storeUpload(UUID owner, UUID modelId, Path temp, ModelFormat format) {
        Path dir = root().resolve("uploads").resolve(owner.toString()).resolve(modelId.toString());
        Path target = dir.resolve(format.storedFileName());
        try {
            Files.createDirectories(dir);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another file system: copy, then remove the temporary file
                Files.copy(temp, target, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the model file", e);
        }
        return root().relativize(target).toString();
    }

    /** The absolute path of a stored model; a path escaping the root is refused. */
    public Path resolve(String relative) {
        Path p = root().resolve(relative).normalize();
        if (!p.startsWith(root())) {
            throw new IllegalArgumentException("model path escapes the storage root");
        }
        return p;
    }

    /** Removes an uploaded model's directory, or a trained model's file or directory. */
    public void delete(String relative) {
        if (relative == null) {
            return;
        }
        try {
            Path p = resolve(relative);
            Path uploads = root().resolve("uploads");
            Path target = p.startsWith(uploads) ? p.getParent() : p;
            if (target.equals(root()) || target.equals(uploads) || !Files.exists(target)) {
                return;
            }
            try (var walk = Files.walk(target)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (IOException | IllegalArgumentException e) {
            // best effort: the row is gone either way
        }
    }

    /** The size of a file, or of all files under a directory. */
    public long sizeOf(Path p) {
        try (var walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
