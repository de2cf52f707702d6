package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every YAML file under base/ and overlays/ is used by a kustomization (or is a secret template, which must not be). */
class KustomizationFilesTest {

    @Test
    void everyManifestFileIsUsedAndNoTemplateIs() throws IOException {
        Set<Path> used = new HashSet<>();
        for (Path dir : Suite.kustomizations()) {
            Path file = Kustomize.kustomizationFile(dir);
            used.add(file);
            JsonNode k = Yaml.readOne(file);
            k.path("resources").forEach(r -> used.add(dir.resolve(r.asText()).normalize()));
            k.path("patches").forEach(p -> {
                if (p.has("path")) {
                    used.add(dir.resolve(p.path("path").asText()).normalize());
                }
            });
        }
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.walk(Suite.base()), Files.walk(Suite.dir().resolve("overlays")))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).map(Path::normalize).toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            boolean template = f.getFileName().toString().endsWith(".template.yaml");
            if (template) {
                assertFalse(used.contains(f), f + " is a template: applying it would overwrite the real secret");
            } else {
                assertTrue(used.contains(f), f + " is not used by any kustomization");
            }
            Yaml.readAll(f);
        }
    }
}
