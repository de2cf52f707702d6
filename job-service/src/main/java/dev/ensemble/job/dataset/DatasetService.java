package dev.ensemble.job.dataset;

import dev.ensemble.job.Dataset;
import dev.ensemble.job.config.JobConfig;
import dev.ensemble.web.ApiException;
import dev.ensemble.web.ErrorCode;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Uploaded data sets: a CSV (or text) file kept as is, or a zip unpacked into a folder with zip-slip
 * protection and limits on entries and unpacked size. Stored under {@code <data root>/<owner>/<name>}.
 */
@ApplicationScoped
public class DatasetService {

    @Inject
    JobConfig config;

    @Inject
    DataPaths paths;

    /** What the file-system part of an upload produced. */
    public record Stored(String kind, String relPath, long size, int files) {
    }

    public static String safeName(String requested, String fileName) {
        String base = requested != null && !requested.isBlank() ? requested.trim()
                : fileName == null ? "" : Path.of(fileName.replace('\\', '/')).getFileName() == null ? ""
                : fileName.replace('\\', '/').substring(fileName.replace('\\', '/').lastIndexOf('/') + 1);
        if (base.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            base = base.substring(0, base.length() - 4);
        }
        if (!base.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}") || base.contains("..")) {
            throw ApiException.badRequest("name", "must be 1-100 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit");
        }
        return base;
    }

    /** Moves or unpacks {@code upload} into the owner's folder; blocking, call off the event loop. */
    public Stored store(UUID owner, Path upload, String name, boolean zip) {
        try {
            long size = Files.size(upload);
            if (size > config.datasets().maxUploadBytes()) {
                throw new ApiException(413, ErrorCode.PAYLOAD_TOO_LARGE, "the upload is larger than "
                        + config.datasets().maxUploadBytes() + " bytes");
            }
            Path userRoot = paths.userRoot(owner);
            Files.createDirectories(userRoot);
            Path target = userRoot.resolve(name).normalize();
            if (!target.startsWith(userRoot) || Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw ApiException.conflict("a dataset named " + name + " exists; delete it first or choose another name");
            }
            if (!zip) {
                Files.copy(upload, target, StandardCopyOption.COPY_ATTRIBUTES);
                return new Stored(name.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "file", name, size, 1);
            }
            Path staging = Files.createTempDirectory(userRoot, ".upload-");
            try {
                int[] files = {0};
                long unpacked = unzip(upload, staging, files);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                return new Stored("folder", name, unpacked, files[0]);
            } catch (RuntimeException | IOException e) {
                deleteTree(staging);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the dataset", e);
        }
    }

    long unzip(Path zip, Path into, int[] files) throws IOException {
        long total = 0;
        int entries = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
            ZipEntry entry;
            while ((entry = nextEntry(in)) != null) {
                if (++entries > config.datasets().maxZipEntries()) {
                    throw ApiException.badRequest("file", "the zip has more than " + config.datasets().maxZipEntries()
                            + " entries");
                }
                String entryName = entry.getName().replace('\\', '/');
                if (entryName.startsWith("/") || entryName.contains("../") || entryName.equals("..")
                        || entryName.contains(":")) {
                    throw ApiException.badRequest("file", "the zip has an entry outside its folder: " + clip(entryName));
                }
                Path out = into.resolve(entryName).normalize();
                if (!out.startsWith(into)) {
                    throw ApiException.badRequest("file", "the zip has an entry outside its folder: " + clip(entryName));
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                if (entryName.startsWith("__MACOSX/") || out.getFileName().toString().startsWith(".")) {
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (var os = Files.newOutputStream(out)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        total += n;
                        if (total > config.datasets().maxUnpackedBytes()) {
                            throw new ApiException(413, ErrorCode.PAYLOAD_TOO_LARGE, "the zip unpacks to more than "
                                    + config.datasets().maxUnpackedBytes() + " bytes");
                        }
                        os.write(buffer, 0, n);
                    }
                }
                files[0]++;
            }
        }
        if (files[0] == 0) {
            throw ApiException.badRequest("file", "the zip holds no files");
        }
        return total;
    }

    private static ZipEntry nextEntry(ZipInputStream in) {
        try {
            return in.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw ApiException.badRequest("file", "not a readable zip archive");
        }
    }

    @WithTransaction
    public Uni<Dataset> record(UUID owner, String name, Stored stored) {
        Dataset d = new Dataset();
        d.id = UUID.randomUUID();
        d.ownerId = owner;
        d.name = name;
        d.kind = stored.kind();
        d.relPath = stored.relPath();
        d.sizeBytes = stored.size();
        d.files = stored.files();
        d.createdAt = Instant.now();
        return d.persist();
    }

    @WithSession
    public Uni<List<Dataset>> list(UUID owner) {
        return Dataset.<Dataset>find("ownerId", Sort.descending("createdAt"), owner).list();
    }

    @WithTransaction
    public Uni<Dataset> delete(UUID owner, UUID id) {
        return Dataset.<Dataset>find("id = ?1 and ownerId = ?2", id, owner).firstResult()
                .onItem().ifNull().failWith(() -> ApiException.notFound("dataset"))
                .call(d -> d.delete());
    }

    /** Removes the dataset's files (blocking). */
    public void deleteFiles(UUID owner, Dataset d) {
        Path target = paths.userRoot(owner).resolve(d.relPath).normalize();
        if (target.startsWith(paths.userRoot(owner))) {
            deleteTree(target);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort; the row is gone either way
        }
    }

    /** Removes what {@link #store} wrote when recording the dataset failed. */
    public static void deleteTreePublic(UUID owner, Stored stored, DatasetService service) {
        Path target = service.paths.userRoot(owner).resolve(stored.relPath()).normalize();
        if (target.startsWith(service.paths.userRoot(owner))) {
            deleteTree(target);
        }
    }

    static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
