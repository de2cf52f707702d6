package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subset of Kustomize (kustomize.config.k8s.io/v1beta1) that k8s/ uses, built the way
 * {@code kustomize build} builds it: resources (files inside the kustomization's directory, or other
 * kustomization directories), then patches (strategic merge or JSON 6902, by their own
 * kind+name or by a target), namespace, labels, replicas, images, in that order.
 *
 * <p>Anything else fails the build: a kustomization field, patch field, target field, label option
 * or patch directive this class does not implement, a resource outside the kustomization's
 * directory, a remote resource, two objects with the same identity, and a patch, replica count or
 * image that matches nothing. Keep the kustomization files within this subset.
 */
final class Kustomize {

    static final String API_VERSION = "kustomize.config.k8s.io/v1beta1";
    static final List<String> FILE_NAMES = List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    private static final Set<String> FIELDS = Set.of(
            "apiVersion", "kind", "namespace", "labels", "resources", "patches", "replicas", "images");
    private static final Set<String> PATCH_FIELDS = Set.of("path", "patch", "target");
    private static final Set<String> TARGET_FIELDS = Set.of("group", "version", "kind", "name", "namespace");
    private static final Set<String> LABEL_FIELDS = Set.of("pairs", "includeSelectors", "includeTemplates");
    private static final Set<String> REPLICA_FIELDS = Set.of("name", "count");
    private static final Set<String> IMAGE_FIELDS = Set.of("name", "newName", "newTag", "digest");

    /** Kinds that are not namespaced (the namespace transformer leaves them alone). */
    static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace", "Node", "PersistentVolume", "StorageClass", "CSIDriver", "CSINode", "VolumeAttachment",
            "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "RuntimeClass",
            "IngressClass", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ClusterIssuer");

    /** Workload kinds whose pod template labels {@code includeTemplates} reaches, with the template's path. */
    static final Map<String, List<String>> POD_TEMPLATE_PATHS = Map.of(
            "Deployment", List.of("spec", "template"),
            "StatefulSet", List.of("spec", "template"),
            "DaemonSet", List.of("spec", "template"),
            "ReplicaSet", List.of("spec", "template"),
            "Job", List.of("spec", "template"),
            "CronJob", List.of("spec", "jobTemplate", "spec", "template"));

    private static final Set<String> SCALABLE = Set.of("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController");

    private final Deque<Path> building = new ArrayDeque<>();

    private Kustomize() {
    }

    /** The objects {@code kustomize build dir} would print, in resource order. */
    static List<ObjectNode> build(Path dir) {
        return new Kustomize().buildDir(dir.toAbsolutePath().normalize());
    }

    static Path kustomizationFile(Path dir) {
        for (String name : FILE_NAMES) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }

    private List<ObjectNode> buildDir(Path dir) {
        Path file = kustomizationFile(dir);
        if (file == null) {
            throw fail(dir, "no kustomization.yaml in this directory");
        }
        if (building.contains(dir)) {
            throw fail(file, "resource cycle through " + building);
        }
        building.push(dir);
        try {
            return buildFile(dir, file);
        } finally {
            building.pop();
        }
    }

    private List<ObjectNode> buildFile(Path dir, Path file) {
        JsonNode k = Yaml.readOne(file);
        if (!k.isObject()) {
            throw fail(file, "not a mapping");
        }
        onlyFields(file, "kustomization", k, FIELDS);
        if (!API_VERSION.equals(text(k, "apiVersion"))) {
            throw fail(file, "apiVersion must be " + API_VERSION);
        }
        if (!"Kustomization".equals(text(k, "kind"))) {
            throw fail(file, "kind must be Kustomization");
        }

        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode entry : list(file, k, "resources")) {
            if (!entry.isTextual() || entry.asText().isBlank()) {
                throw fail(file, "a resource is not a path: " + entry);
            }
            String ref = entry.asText();
            if (ref.contains("://") || ref.startsWith("github.com/") || ref.startsWith("git@")) {
                throw fail(file, "remote resources are not supported: " + ref);
            }
            Path p = dir.resolve(ref).normalize();
            if (Files.isDirectory(p)) {
                objects.addAll(buildDir(p));
            } else if (Files.isRegularFile(p)) {
                within(file, dir, p);
                for (ObjectNode o : Yaml.readObjects(p)) {
                    if (text(o, "apiVersion") == null || text(o, "kind") == null) {
                        throw fail(p, "an object without apiVersion or kind: " + o);
                    }
                    if ("List".equals(text(o, "kind")) || text(o, "kind").endsWith("List")) {
                        throw fail(p, "List objects are not supported");
                    }
                    objects.add(o);
                }
            } else {
                throw fail(file, "resource not found: " + ref);
            }
        }
        checkUnique(file, objects);

        // The order of kustomize's built-in transformers.
        for (JsonNode patch : list(file, k, "patches")) {
            applyPatch(dir, file, patch, objects);
        }
        if (k.has("namespace")) {
            String ns = text(k, "namespace");
            if (ns == null || !Names.isDnsLabel(ns)) {
                throw fail(file, "namespace must be a DNS label: " + k.get("namespace"));
            }
            setNamespace(objects, ns);
        }
        for (JsonNode labels : list(file, k, "labels")) {
            applyLabels(file, labels, objects);
        }
        for (JsonNode replicas : list(file, k, "replicas")) {
            applyReplicas(file, replicas, objects);
        }
        for (JsonNode image : list(file, k, "images")) {
            applyImage(file, image, objects);
        }
        checkUnique(file, objects);
        return objects;
    }

    // ---- patches

    private void applyPatch(Path dir, Path file, JsonNode entry, List<ObjectNode> objects) {
        if (!entry.isObject()) {
            throw fail(file, "a patch entry is not a mapping: " + entry);
        }
        onlyFields(file, "patches[]", entry, PATCH_FIELDS);
        boolean hasPath = entry.has("path");
        if (hasPath == entry.has("patch")) {
            throw fail(file, "a patch entry needs exactly one of path and patch: " + entry);
        }
        JsonNode patch;
        String origin;
        if (hasPath) {
            Path p = dir.resolve(text(entry, "path")).normalize();
            within(file, dir, p);
            if (!Files.isRegularFile(p)) {
                throw fail(file, "patch file not found: " + entry.get("path").asText());
            }
            patch = Yaml.readOne(p);
            origin = p.toString();
        } else {
            List<JsonNode> docs = Yaml.readAll(text(entry, "patch"));
            if (docs.size() != 1) {
                throw fail(file, "an inline patch must be one YAML document");
            }
            patch = docs.get(0);
            origin = file + " (inline patch)";
        }
        Target target = entry.has("target") ? Target.of(file, entry.get("target")) : null;

        if (patch.isArray()) {
            if (target == null) {
                throw fail(file, "a JSON 6902 patch needs a target: " + origin);
            }
            List<ObjectNode> matches = select(objects, target);
            if (matches.isEmpty()) {
                throw fail(file, "patch " + origin + " matches no object (target " + target + ")");
            }
            for (ObjectNode o : matches) {
                try {
                    JsonPatch.apply(o, (ArrayNode) patch);
                } catch (IllegalArgumentException e) {
                    throw fail(file, "patch " + origin + " on " + id(o) + ": " + e.getMessage());
                }
            }
        } else if (patch.isObject()) {
            List<ObjectNode> matches;
            if (target != null) {
                matches = select(objects, target);
            } else {
                String apiVersion = text(patch, "apiVersion");
                String kind = text(patch, "kind");
                String name = patch.path("metadata").path("name").asText(null);
                String namespace = patch.path("metadata").path("namespace").asText(null);
                if (apiVersion == null || kind == null || name == null) {
                    throw fail(file, "a strategic merge patch without target needs apiVersion, kind and metadata.name: " + origin);
                }
                matches = new ArrayList<>();
                for (ObjectNode o : objects) {
                    if (apiVersion.equals(text(o, "apiVersion")) && kind.equals(text(o, "kind"))
                            && name.equals(name(o)) && (namespace == null || namespace.equals(namespace(o)))) {
                        matches.add(o);
                    }
                }
            }
            if (matches.isEmpty()) {
                throw fail(file, "patch " + origin + " matches no object");
            }
            for (ObjectNode o : matches) {
                ObjectNode p = patch.deepCopy();
                // With a target the patch's own identity does not matter (kustomize sets the target's).
                p.remove("apiVersion");
                p.remove("kind");
                if (p.get("metadata") instanceof ObjectNode meta) {
                    meta.remove("name");
                    meta.remove("namespace");
                    if (meta.isEmpty()) {
                        p.remove("metadata");
                    }
                }
                try {
                    StrategicMerge.apply(o, p);
                } catch (IllegalArgumentException e) {
                    throw fail(file, "patch " + origin + " on " + id(o) + ": " + e.getMessage());
                }
            }
        } else {
            throw fail(file, "a patch is neither a mapping (strategic merge) nor a list (JSON 6902): " + origin);
        }
    }

    private static List<ObjectNode> select(List<ObjectNode> objects, Target t) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode o : objects) {
            String apiVersion = text(o, "apiVersion");
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
            if (t.matches(group, version, text(o, "kind"), name(o), namespace(o))) {
                out.add(o);
            }
        }
        return out;
    }

    /** A patch target: each given field is a regular expression that must match the whole value. */
    record Target(Pattern group, Pattern version, Pattern kind, Pattern name, Pattern namespace) {

        static Target of(Path file, JsonNode t) {
            if (!t.isObject() || t.isEmpty()) {
                throw fail(file, "a patch target must be a non-empty mapping: " + t);
            }
            onlyFields(file, "patches[].target", t, TARGET_FIELDS);
            return new Target(p(file, t, "group"), p(file, t, "version"), p(file, t, "kind"), p(file, t, "name"),
                    p(file, t, "namespace"));
        }

        private static Pattern p(Path file, JsonNode t, String field) {
            if (!t.has(field)) {
                return null;
            }
            if (!t.get(field).isTextual()) {
                throw fail(file, "target." + field + " must be a string");
            }
            return Pattern.compile(t.get(field).asText());
        }

        boolean matches(String g, String v, String k, String n, String ns) {
            return m(group, g) && m(version, v) && m(kind, k) && m(name, n) && m(namespace, ns == null ? "" : ns);
        }

        private static boolean m(Pattern p, String value) {
            return p == null || p.matcher(value).matches();
        }
    }

    // ---- namespace, labels, replicas, images

    /**
     * kustomize's namespace transformer: every namespaced object moves to {@code ns}, a Namespace
     * object is renamed to it, and a (Cluster)RoleBinding subject that is one of the output's
     * ServiceAccounts (same name, same namespace as that ServiceAccount had) follows it.
     */
    private static void setNamespace(List<ObjectNode> objects, String ns) {
        Set<String> serviceAccounts = new HashSet<>();
        for (ObjectNode o : objects) {
            if ("ServiceAccount".equals(text(o, "kind"))) {
                serviceAccounts.add(namespace(o) + "/" + name(o));
            }
        }
        for (ObjectNode o : objects) {
            String kind = text(o, "kind");
            if ("Namespace".equals(kind)) {
                metadata(o).put("name", ns);
            } else if (!CLUSTER_SCOPED.contains(kind)) {
                metadata(o).put("namespace", ns);
            }
            if (("RoleBinding".equals(kind) || "ClusterRoleBinding".equals(kind)) && o.get("subjects") instanceof ArrayNode subjects) {
                for (JsonNode s : subjects) {
                    if ("ServiceAccount".equals(text(s, "kind")) && s instanceof ObjectNode so
                            && serviceAccounts.contains(text(s, "namespace") + "/" + text(s, "name"))) {
                        so.put("namespace", ns);
                    }
                }
            }
        }
    }

    private static void applyLabels(Path file, JsonNode entry, List<ObjectNode> objects) {
        if (!entry.isObject()) {
            throw fail(file, "a labels entry is not a mapping");
        }
        onlyFields(file, "labels[]", entry, LABEL_FIELDS);
        if (entry.path("includeSelectors").asBoolean(false)) {
            throw fail(file, "labels with includeSelectors: true are not supported (selectors are immutable)");
        }
        boolean templates = entry.path("includeTemplates").asBoolean(false);
        JsonNode pairs = entry.get("pairs");
        if (pairs == null || !pairs.isObject() || pairs.isEmpty()) {
            throw fail(file, "labels[].pairs must be a non-empty mapping");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        pairs.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw fail(file, "label " + e.getKey() + " must have a string value");
            }
            labels.put(e.getKey(), e.getValue().asText());
        });
        for (ObjectNode o : objects) {
            ObjectNode l = child(metadata(o), "labels");
            labels.forEach(l::put);
            List<String> path = POD_TEMPLATE_PATHS.get(text(o, "kind"));
            if (templates && path != null) {
                ObjectNode template = o;
                for (String step : path) {
                    template = child(template, step);
                }
                ObjectNode tl = child(child(template, "metadata"), "labels");
                labels.forEach(tl::put);
            }
        }
    }

    private static void applyReplicas(Path file, JsonNode entry, List<ObjectNode> objects) {
        onlyFields(file, "replicas[]", entry, REPLICA_FIELDS);
        String name = text(entry, "name");
        JsonNode count = entry.get("count");
        if (name == null || count == null || !count.isIntegralNumber() || count.asInt() < 0) {
            throw fail(file, "replicas[] needs a name and a non-negative integer count: " + entry);
        }
        int matched = 0;
        for (ObjectNode o : objects) {
            if (SCALABLE.contains(text(o, "kind")) && name.equals(name(o))) {
                child(o, "spec").put("replicas", count.asInt());
                matched++;
            }
        }
        if (matched == 0) {
            throw fail(file, "replicas: no Deployment or StatefulSet named " + name);
        }
    }

    private static void applyImage(Path file, JsonNode entry, List<ObjectNode> objects) {
        onlyFields(file, "images[]", entry, IMAGE_FIELDS);
        String name = text(entry, "name");
        if (name == null || name.isBlank()) {
            throw fail(file, "images[] needs a name");
        }
        if (entry.has("newTag") && entry.has("digest")) {
            throw fail(file, "images[] " + name + ": give newTag or digest, not both");
        }
        if (!entry.has("newName") && !entry.has("newTag") && !entry.has("digest")) {
            throw fail(file, "images[] " + name + ": nothing to change");
        }
        for (String f : List.of("newName", "newTag", "digest")) {
            if (entry.has(f) && !entry.get(f).isTextual()) {
                throw fail(file, "images[] " + name + ": " + f + " must be a string (quote numeric tags)");
            }
        }
        int matched = 0;
        for (ObjectNode o : objects) {
            for (ObjectNode c : containers(o)) {
                String image = text(c, "image");
                if (image == null) {
                    continue;
                }
                ImageRef ref = ImageRef.parse(image);
                if (!ref.name().equals(name)) {
                    continue;
                }
                String newName = entry.has("newName") ? text(entry, "newName") : ref.name();
                String suffix = ref.suffix();
                if (entry.has("newTag")) {
                    suffix = ":" + text(entry, "newTag");
                } else if (entry.has("digest")) {
                    suffix = "@" + text(entry, "digest");
                }
                c.put("image", newName + suffix);
                matched++;
            }
        }
        if (matched == 0) {
            throw fail(file, "images: no container uses the image " + name);
        }
    }

    /** An image reference split into name and tag or digest suffix ({@code :tag}, {@code @sha256:...}). */
    record ImageRef(String name, String suffix) {
        static ImageRef parse(String image) {
            int at = image.indexOf('@');
            if (at >= 0) {
                return new ImageRef(image.substring(0, at), image.substring(at));
            }
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                return new ImageRef(image.substring(0, colon), image.substring(colon));
            }
            return new ImageRef(image, "");
        }
    }

    /** Containers and init containers of a workload's pod spec (none for other kinds). */
    static List<ObjectNode> containers(ObjectNode o) {
        List<ObjectNode> out = new ArrayList<>();
        JsonNode spec = podSpec(o);
        if (spec != null) {
            for (String f : List.of("initContainers", "containers")) {
                for (JsonNode c : spec.path(f)) {
                    if (c instanceof ObjectNode co) {
                        out.add(co);
                    }
                }
            }
        }
        return out;
    }

    /** The pod spec of a workload, or null. */
    static JsonNode podSpec(JsonNode o) {
        String kind = text(o, "kind");
        if ("Pod".equals(kind)) {
            return o.get("spec");
        }
        List<String> path = POD_TEMPLATE_PATHS.get(kind);
        if (path == null) {
            return null;
        }
        JsonNode n = o;
        for (String step : path) {
            n = n.path(step);
        }
        JsonNode spec = n.get("spec");
        return spec != null && spec.isObject() ? spec : null;
    }

    // ---- helpers

    private static void checkUnique(Path file, List<ObjectNode> objects) {
        Set<String> seen = new HashSet<>();
        for (ObjectNode o : objects) {
            if (!seen.add(id(o))) {
                throw fail(file, "two objects with the identity " + id(o));
            }
        }
    }

    /** group/kind/namespace/name, as kustomize identifies objects. */
    static String id(JsonNode o) {
        String apiVersion = text(o, "apiVersion");
        String group = apiVersion != null && apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String ns = namespace(o);
        return (group.isEmpty() ? "" : group + "/") + text(o, "kind") + " " + (ns == null ? "" : ns + "/") + name(o);
    }

    private static void within(Path kustomization, Path root, Path file) {
        if (!file.normalize().startsWith(root)) {
            throw fail(kustomization, file + " is outside the kustomization's directory " + root
                    + " (kustomize's load restrictor refuses it; copy it under the directory)");
        }
    }

    private static void onlyFields(Path file, String where, JsonNode node, Set<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!allowed.contains(f)) {
                throw fail(file, "unsupported " + where + " field '" + f + "' (this build implements " + allowed + ")");
            }
        }
    }

    private static List<JsonNode> list(Path file, JsonNode k, String field) {
        JsonNode n = k.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw fail(file, field + " must be a list");
        }
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asText(null);
    }

    static String namespace(JsonNode o) {
        return o.path("metadata").path("namespace").asText(null);
    }

    private static ObjectNode metadata(ObjectNode o) {
        return child(o, "metadata");
    }

    private static ObjectNode child(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n instanceof ObjectNode on) {
            return on;
        }
        ObjectNode created = JsonNodeFactory.instance.objectNode();
        o.set(field, created);
        return created;
    }

    private static IllegalArgumentException fail(Path file, String message) {
        return new IllegalArgumentException(file + ": " + message);
    }
}
