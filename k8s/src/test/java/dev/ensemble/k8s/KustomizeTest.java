package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kustomize subset behaves as kustomize does, and refuses what it does not implement. */
class KustomizeTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {app: web}
            spec:
              replicas: 1
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.0-SNAPSHOT
                      env:
                        - {name: A, value: "1"}
                        - {name: B, value: "2"}
                      ports:
                        - {containerPort: 8080, name: http}
                      resources:
                        limits: {cpu: "1", memory: 256Mi}
                    - name: sidecar
                      image: busybox@sha256:abc
                  tolerations:
                    - {key: a, operator: Exists}
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              selector: {app: web}
              ports:
                - {name: http, port: 80, targetPort: 8080}
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w
            spec:
              items: [a, b]
              settings: {x: 1, y: 2}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: web}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: rb}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
            subjects:
              - {kind: ServiceAccount, name: web}
              - {kind: ServiceAccount, name: other}
              - {kind: ServiceAccount, name: web, namespace: elsewhere}
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void resources() throws IOException {
        Files.writeString(dir.resolve("app.yaml"), DEPLOYMENT);
    }

    private List<ObjectNode> build(String kustomization) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - app.yaml
                """ + kustomization);
        List<ObjectNode> built = Kustomize.build(dir);
        // Where a kubectl is at hand, the real Kustomize must agree.
        KubectlKustomize.build(dir).ifPresent(expected -> {
            List<String> differences = KubectlKustomize.differences(expected, built);
            assertTrue(differences.isEmpty(), "kubectl kustomize differs:\n  " + String.join("\n  ", differences));
        });
        return built;
    }

    private void file(String name, String text) throws IOException {
        Files.createDirectories(dir.resolve(name).getParent());
        Files.writeString(dir.resolve(name), text);
    }

    private static ObjectNode find(List<ObjectNode> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(Kustomize.text(o, "kind")) && name.equals(Kustomize.name(o)))
                .findFirst().orElseThrow();
    }

    private static JsonNode container(List<ObjectNode> objects, String name) {
        for (JsonNode c : find(objects, "Deployment", "web").path("spec").path("template").path("spec").path("containers")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no container " + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"commonLabels: {a: b}", "namePrefix: x-", "nameSuffix: -x", "configMapGenerator: []",
            "secretGenerator: []", "patchesStrategicMerge: []", "patchesJson6902: []", "components: []",
            "commonAnnotations: {a: b}", "replacements: []", "helmCharts: []", "generators: []", "transformers: []",
            "crds: []", "vars: []", "buildMetadata: []", "openapi: {}", "sortOptions: {}"})
    void failsOnKustomizationFieldsItDoesNotImplement(String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build(field));
        assertTrue(e.getMessage().contains("unsupported kustomization field '" + field.substring(0, field.indexOf(':')) + "'"), e.getMessage());
    }

    @Test
    void failsOnUnknownPatchTargetLabelAndImageFields() throws IOException {
        file("p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n");
        assertRefused("unsupported patches[] field 'options'", "patches:\n  - path: p.yaml\n    options: {allowNameChange: true}\n");
        assertRefused("unsupported patches[].target field 'labelSelector'", "patches:\n  - path: p.yaml\n    target: {labelSelector: app=web}\n");
        assertRefused("unsupported labels[] field 'fields'", "labels:\n  - pairs: {a: b}\n    fields: []\n");
        assertRefused("includeSelectors: true are not supported", "labels:\n  - pairs: {a: b}\n    includeSelectors: true\n");
        assertRefused("unsupported images[] field 'tagSuffix'", "images:\n  - name: registry.example.com/web\n    newTag: \"2\"\n    tagSuffix: x\n");
        assertRefused("unsupported replicas[] field 'kind'", "replicas:\n  - name: web\n    count: 2\n    kind: Deployment\n");
        assertRefused("exactly one of path and patch", "patches:\n  - target: {kind: Service}\n");
    }

    private void assertRefused(String message, String kustomization) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build(kustomization));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
    }

    @Test
    void refusesFilesOutsideItsDirectoryRemoteResourcesAndDuplicates() throws IOException {
        Path outside = dir.getParent().resolve(dir.getFileName() + "-outside.yaml");
        Files.writeString(outside, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> build("  - ../" + outside.getFileName() + "\n"));
            assertTrue(e.getMessage().contains("outside"), e.getMessage());
        } finally {
            Files.delete(outside);
        }
        assertThrows(IllegalArgumentException.class, () -> build("  - https://github.com/example/repo//k8s\n"));
        file("again.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 1}]}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build("  - again.yaml\n"));
        assertTrue(e.getMessage().contains("two objects"), e.getMessage());
    }

    @Test
    void strategicMergeMergesContainersEnvAndMapsByKeyAndReplacesOtherLists() throws IOException {
        file("p.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: null
                  template:
                    spec:
                      containers:
                        - name: web
                          env:
                            - {name: B, value: "two"}
                            - {name: C, value: "3"}
                          resources:
                            limits: {nvidia.com/gpu: 1}
                      tolerations:
                        - {key: b, operator: Exists}
                """);
        List<ObjectNode> out = build("patches:\n  - path: p.yaml\n");
        ObjectNode d = find(out, "Deployment", "web");
        assertFalse(d.path("spec").has("replicas"), "null deletes");
        JsonNode web = container(out, "web");
        // kustomize's order: the patch's elements first, then the others.
        assertEquals("[{\"name\":\"B\",\"value\":\"two\"},{\"name\":\"C\",\"value\":\"3\"},{\"name\":\"A\",\"value\":\"1\"}]",
                web.path("env").toString());
        assertEquals("256Mi", web.path("resources").path("limits").path("memory").asText());
        assertEquals(1, web.path("resources").path("limits").path("nvidia.com/gpu").asInt());
        assertEquals(8080, web.path("ports").path(0).path("containerPort").asInt());
        assertEquals("busybox@sha256:abc", container(out, "sidecar").path("image").asText());
        assertEquals("[{\"key\":\"b\",\"operator\":\"Exists\"}]", d.path("spec").path("template").path("spec").path("tolerations").toString());
    }

    @Test
    void strategicMergeReplacesListsOfCustomResourcesAndAppliesToEveryTarget() throws IOException {
        file("widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: any}\nspec: {items: [c], settings: {y: 3}}\n");
        file("labels.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: any, labels: {tier: front}}\n");
        List<ObjectNode> out = build("""
                patches:
                  - path: widget.yaml
                    target: {group: example.com, kind: Widget}
                  - path: labels.yaml
                    target: {kind: Deploy.*, name: web|other}
                """);
        JsonNode w = find(out, "Widget", "w").path("spec");
        assertEquals("[\"c\"]", w.path("items").toString());
        assertEquals("{\"x\":1,\"y\":3}", w.path("settings").toString());
        ObjectNode d = find(out, "Deployment", "web");
        assertEquals("front", d.path("metadata").path("labels").path("tier").asText());
        assertEquals("web", Kustomize.name(d), "the patch's own name does not rename the target");
    }

    @Test
    void strategicMergeRefusesDirectivesAndPatchesThatMatchNothing() throws IOException {
        file("delete.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
                + "      containers:\n        - {name: sidecar, $patch: delete}\n");
        assertThrows(IllegalArgumentException.class, () -> build("patches:\n  - path: delete.yaml\n"));
        file("missing.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nope}\nspec: {replicas: 2}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build("patches:\n  - path: missing.yaml\n"));
        assertTrue(e.getMessage().contains("matches no object"), e.getMessage());
        file("wrongkind.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec: {replicas: 2}\n");
        assertThrows(IllegalArgumentException.class, () -> build("patches:\n  - path: wrongkind.yaml\n"));
    }

    @Test
    void jsonPatchAddsReplacesRemovesAndTests() throws IOException {
        List<ObjectNode> out = build("""
                patches:
                  - target: {kind: Service, name: web}
                    patch: |-
                      - {op: test, path: /spec/ports/0/port, value: 80}
                      - {op: replace, path: /spec/ports/0/port, value: 8080}
                      - {op: add, path: /spec/ports/-, value: {name: admin, port: 9000}}
                      - {op: add, path: /metadata/annotations, value: {a~b/c: d}}
                      - {op: remove, path: /spec/selector/app}
                """);
        JsonNode svc = find(out, "Service", "web");
        assertEquals(8080, svc.path("spec").path("ports").path(0).path("port").asInt());
        assertEquals("admin", svc.path("spec").path("ports").path(1).path("name").asText());
        assertEquals("d", svc.path("metadata").path("annotations").path("a~b/c").asText());
        assertTrue(svc.path("spec").path("selector").isEmpty());

        assertThrows(IllegalArgumentException.class, () -> build("""
                patches:
                  - target: {kind: Service}
                    patch: '[{op: test, path: /spec/ports/0/port, value: 81}]'
                """));
        assertThrows(IllegalArgumentException.class, () -> build("""
                patches:
                  - target: {kind: Service}
                    patch: '[{op: move, from: /spec, path: /x}]'
                """));
        assertThrows(IllegalArgumentException.class, () -> build("""
                patches:
                  - target: {kind: Service}
                    patch: '[{op: replace, path: /spec/missing, value: 1}]'
                """));
        assertThrows(IllegalArgumentException.class, () -> build("""
                patches:
                  - patch: '[{op: add, path: /x, value: 1}]'
                """));
    }

    @Test
    void namespaceLabelsReplicasAndImages() throws IOException {
        List<ObjectNode> out = build("""
                namespace: shop2
                labels:
                  - pairs: {team: a}
                    includeTemplates: true
                replicas:
                  - {name: web, count: 3}
                images:
                  - {name: registry.example.com/web, newName: ghcr.io/acme/web, newTag: "2.0"}
                  - {name: busybox, digest: "sha256:def"}
                """);
        ObjectNode d = find(out, "Deployment", "web");
        assertEquals("shop2", Kustomize.namespace(d));
        assertEquals("shop2", Kustomize.namespace(find(out, "Widget", "w")));
        // As kustomize does: a Namespace object takes the namespace's name and has none itself;
        // a binding's subject follows only when it is one of the output's ServiceAccounts.
        assertTrue(find(out, "Namespace", "shop2").path("metadata").path("namespace").isMissingNode(), "Namespaces have none");
        assertEquals("[{\"kind\":\"ServiceAccount\",\"name\":\"web\",\"namespace\":\"shop2\"},"
                + "{\"kind\":\"ServiceAccount\",\"name\":\"other\"},"
                + "{\"kind\":\"ServiceAccount\",\"name\":\"web\",\"namespace\":\"elsewhere\"}]",
                find(out, "RoleBinding", "rb").path("subjects").toString());
        assertEquals("a", d.path("metadata").path("labels").path("team").asText());
        assertEquals("a", d.path("spec").path("template").path("metadata").path("labels").path("team").asText());
        assertFalse(d.path("spec").path("selector").path("matchLabels").has("team"), "selectors stay as they are");
        assertEquals(3, d.path("spec").path("replicas").asInt());
        assertEquals("ghcr.io/acme/web:2.0", container(out, "web").path("image").asText());
        assertEquals("busybox@sha256:def", container(out, "sidecar").path("image").asText());

        assertThrows(IllegalArgumentException.class, () -> build("images:\n  - {name: nothing, newTag: \"1\"}\n"));
        assertThrows(IllegalArgumentException.class, () -> build("replicas:\n  - {name: nothing, count: 1}\n"));
        assertThrows(IllegalArgumentException.class, () -> build("images:\n  - {name: busybox, newTag: 2}\n"));
    }

    @Test
    void overlaysBuildOnOtherKustomizationsAndPatchTheirObjects() throws IOException {
        build("namespace: shop\n");
        file("overlay/kustomization.yaml", """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ..
                patches:
                  - path: more.yaml
                """);
        file("overlay/more.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 5}\n");
        List<ObjectNode> out = Kustomize.build(dir.resolve("overlay"));
        assertEquals(5, find(out, "Deployment", "web").path("spec").path("replicas").asInt());
        assertEquals("shop", Kustomize.namespace(find(out, "Deployment", "web")));
        assertEquals("shop", Kustomize.name(find(out, "Namespace", "shop")));

        file("loop/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../loop\n");
        assertThrows(IllegalArgumentException.class, () -> Kustomize.build(dir.resolve("loop")));
    }

    @Test
    void refusesDuplicateYamlKeys() throws IOException {
        file("dup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1', a: '2'}\n");
        assertThrows(IllegalArgumentException.class, () -> build("  - dup.yaml\n"));
    }
}
