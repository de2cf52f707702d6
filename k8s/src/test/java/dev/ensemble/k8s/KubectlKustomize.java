package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The real Kustomize, where a {@code kubectl} (which embeds it) is on the PATH: the tests compare
 * {@link Kustomize}'s output with it there, and skip that comparison elsewhere (CI needs no kubectl).
 */
final class KubectlKustomize {

    private static final Optional<Path> KUBECTL = find();

    private KubectlKustomize() {
    }

    private static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static boolean available() {
        return KUBECTL.isPresent();
    }

    /** {@code kubectl kustomize dir}, or empty when there is no kubectl. */
    static Optional<List<ObjectNode>> build(Path dir) {
        if (KUBECTL.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process p = new ProcessBuilder(KUBECTL.get().toString(), "kustomize", dir.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + dir + " did not finish");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + Files.readString(err, StandardCharsets.UTF_8));
                }
                return Optional.of(Yaml.readObjects(out));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The differences between two outputs, object by object (order of objects aside); empty when equal. */
    static List<String> differences(List<ObjectNode> expected, List<ObjectNode> actual) {
        Map<String, ObjectNode> e = byId(expected);
        Map<String, ObjectNode> a = byId(actual);
        List<String> out = new ArrayList<>();
        for (String id : e.keySet()) {
            if (!a.containsKey(id)) {
                out.add("missing " + id);
            } else if (!e.get(id).equals(a.get(id))) {
                out.add(id + "\n    kustomize: " + e.get(id) + "\n    this:      " + a.get(id));
            }
        }
        for (String id : a.keySet()) {
            if (!e.containsKey(id)) {
                out.add("extra " + id);
            }
        }
        return out;
    }

    private static Map<String, ObjectNode> byId(List<ObjectNode> objects) {
        Map<String, ObjectNode> out = new TreeMap<>();
        objects.forEach(o -> out.put(Kustomize.id(o), o));
        return out;
    }
}
