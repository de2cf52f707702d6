package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strategic merge patch, as kustomize applies it, for the fields k8s/ patches: mappings merge key by
 * key, {@code null} deletes a key, and lists are replaced except the lists Kubernetes merges by a key
 * ({@code containers} and {@code initContainers} by name, {@code env} by name, {@code volumes} by
 * name, {@code volumeMounts} by mountPath, container {@code ports} by containerPort, Service
 * {@code ports} by port, {@code imagePullSecrets} by name,
 * {@code topologySpreadConstraints} by topologyKey). Custom resources have no schema, so their
 * lists are always replaced. Patch directives ({@code $patch}, {@code $retainKeys}, ...) fail.
 */
final class StrategicMerge {

    /** API groups of built-in kinds, whose lists merge by the keys above. */
    static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "policy", "autoscaling",
            "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io");

    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name",
            "initContainers", "name",
            "ephemeralContainers", "name",
            "env", "name",
            "volumes", "name",
            "volumeMounts", "mountPath",
            "imagePullSecrets", "name",
            "topologySpreadConstraints", "topologyKey",
            "hostAliases", "ip");

    private StrategicMerge() {
    }

    static void apply(ObjectNode target, ObjectNode patch) {
        String apiVersion = Kustomize.text(target, "apiVersion");
        String group = apiVersion != null && apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        boolean builtIn = BUILT_IN_GROUPS.contains(group);
        mergeObject(target, patch, builtIn, Kustomize.text(target, "kind"), "");
    }

    private static void mergeObject(ObjectNode target, ObjectNode patch, boolean builtIn, String kind, String path) {
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            String at = path + "/" + key;
            if (key.startsWith("$")) {
                throw new IllegalArgumentException("patch directive " + key + " at " + at + " is not supported");
            }
            JsonNode value = e.getValue();
            JsonNode current = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (current == null || current.isNull()) {
                target.set(key, withoutNulls(value.deepCopy(), at));
            } else if (current.isObject() && value.isObject()) {
                mergeObject((ObjectNode) current, (ObjectNode) value, builtIn, kind, at);
            } else if (current.isArray() && value.isArray()) {
                String mergeKey = builtIn ? mergeKey(kind, path, key) : null;
                if (mergeKey == null) {
                    target.set(key, withoutNulls(value.deepCopy(), at));
                } else {
                    mergeList((ArrayNode) current, (ArrayNode) value, mergeKey, builtIn, kind, at);
                }
            } else {
                target.set(key, withoutNulls(value.deepCopy(), at));
            }
        }
    }

    private static String mergeKey(String kind, String parentPath, String key) {
        if ("ports".equals(key)) {
            // Service spec.ports merge by port; a container's ports by containerPort.
            return "Service".equals(kind) && "/spec".equals(parentPath) ? "port" : "containerPort";
        }
        return MERGE_KEYS.get(key);
    }

    /**
     * Merges a keyed list as kustomize orders it: the patch's elements first, in the patch's order
     * (merged into the current element with the same key where there is one), then the current
     * elements the patch does not name, in their order.
     */
    private static void mergeList(ArrayNode current, ArrayNode patch, String mergeKey, boolean builtIn, String kind, String at) {
        List<JsonNode> merged = new ArrayList<>();
        List<JsonNode> untouched = new ArrayList<>();
        current.forEach(untouched::add);
        for (JsonNode item : patch) {
            if (!item.isObject() || !item.has(mergeKey)) {
                throw new IllegalArgumentException("an element of " + at + " has no merge key " + mergeKey + ": " + item);
            }
            if (item.has("$patch")) {
                throw new IllegalArgumentException("patch directive $patch at " + at + " is not supported");
            }
            JsonNode match = null;
            for (JsonNode existing : untouched) {
                if (existing.isObject() && item.get(mergeKey).equals(existing.get(mergeKey))) {
                    match = existing;
                    break;
                }
            }
            if (match != null) {
                untouched.remove(match);
                mergeObject((ObjectNode) match, (ObjectNode) item, builtIn, kind, at + "[" + mergeKey + "=" + item.get(mergeKey).asText() + "]");
                merged.add(match);
            } else {
                merged.add(withoutNulls(item.deepCopy(), at));
            }
        }
        current.removeAll();
        merged.forEach(current::add);
        untouched.forEach(current::add);
    }

    /** A value that is added as a whole carries no deletions: drop its nulls (and reject directives). */
    private static JsonNode withoutNulls(JsonNode node, String at) {
        if (node instanceof ObjectNode o) {
            List<String> nulls = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().startsWith("$")) {
                    throw new IllegalArgumentException("patch directive " + e.getKey() + " at " + at + " is not supported");
                }
                if (e.getValue().isNull()) {
                    nulls.add(e.getKey());
                } else {
                    withoutNulls(e.getValue(), at + "/" + e.getKey());
                }
            }
            nulls.forEach(o::remove);
        } else if (node instanceof ArrayNode a) {
            a.forEach(n -> withoutNulls(n, at));
        }
        return node;
    }
}
