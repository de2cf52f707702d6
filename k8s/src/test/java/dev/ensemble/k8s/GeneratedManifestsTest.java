package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * base/generated/&lt;service&gt;.yml: the manifests quarkus-kubernetes wrote for each service, copied by
 * this module's build. They must show libs/web's Kubernetes defaults; anything else means the copy
 * is missing or stale.
 */
class GeneratedManifestsTest {

    static List<String> services() {
        return Suite.SERVICES.stream().map(Suite.Service::name).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void generatedManifestIsPresentAndCurrent(String service) throws IOException {
        Path file = Suite.base().resolve("generated").resolve(service + ".yml");
        String hint = " (rebuild it: cd " + service + " && ../mvnw package -DskipTests, then build k8s; "
                + "the defaults are in libs/web's META-INF/microprofile-config.properties)";
        assertTrue(Files.isRegularFile(file), file + " is missing" + hint);
        String header = Files.readString(Suite.dir().resolve("src/build/generated-header.txt"));
        assertTrue(Files.readString(file).startsWith(header), file + " lacks the generated-file header" + hint);

        List<ObjectNode> objects = Yaml.readObjects(file);
        Set<String> kinds = new TreeSet<>();
        for (ObjectNode o : objects) {
            kinds.add(Kustomize.text(o, "kind"));
            assertEquals(service, Kustomize.name(o), file + ": " + Kustomize.id(o) + hint);
            assertFalse(o.path("metadata").path("annotations").has("app.quarkus.io/build-timestamp"),
                    file + ": a build timestamp makes every build a change" + hint);
            assertEquals(service, o.path("metadata").path("labels").path("app.kubernetes.io/name").asText(), file.toString());
        }
        // No flyway init Job (with its RBAC and wait-for image) and no ServiceMonitor (Prometheus Operator CRD).
        assertEquals(Set.of("Deployment", "Service"), kinds, file + ": unexpected kinds" + hint);
        ObjectNode deployment = objects.stream().filter(o -> "Deployment".equals(Kustomize.text(o, "kind"))).findFirst().orElseThrow();
        JsonNode selector = deployment.path("spec").path("selector").path("matchLabels");
        assertFalse(selector.has("app.kubernetes.io/version"), file + ": the version in a selector breaks upgrades" + hint);
        assertTrue(deployment.toString().contains("\"" + Suite.CONFIG_MAP + "\""), file + ": envFrom " + Suite.CONFIG_MAP + hint);
        assertTrue(deployment.path("spec").path("template").path("metadata").path("annotations").has("prometheus.io/scrape"),
                file + ": prometheus annotations" + hint);
    }
}
