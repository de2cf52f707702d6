package dev.ensemble.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** JSON Patch (RFC 6902) operations add, remove, replace and test; others fail. */
final class JsonPatch {

    private static final Set<String> FIELDS = Set.of("op", "path", "value");

    private JsonPatch() {
    }

    static void apply(ObjectNode target, ArrayNode operations) {
        for (JsonNode op : operations) {
            if (!op.isObject()) {
                throw new IllegalArgumentException("an operation is not a mapping: " + op);
            }
            Iterator<String> names = op.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                if (!FIELDS.contains(f)) {
                    throw new IllegalArgumentException("unsupported JSON patch field '" + f + "' in " + op);
                }
            }
            String kind = op.path("op").asText("");
            String path = op.path("path").asText(null);
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("path must be a JSON pointer: " + op);
            }
            boolean needsValue = !"remove".equals(kind);
            if (needsValue != op.has("value")) {
                throw new IllegalArgumentException((needsValue ? "missing" : "unexpected") + " value in " + op);
            }
            List<String> tokens = tokens(path);
            JsonNode parent = resolve(target, tokens.subList(0, tokens.size() - 1), path);
            String last = tokens.get(tokens.size() - 1);
            JsonNode value = op.get("value");
            switch (kind) {
                case "add" -> add(parent, last, value.deepCopy(), path);
                case "replace" -> {
                    existing(parent, last, path);
                    remove(parent, last, path);
                    add(parent, last, value.deepCopy(), path);
                }
                case "remove" -> remove(parent, last, path);
                case "test" -> {
                    if (!existing(parent, last, path).equals(value)) {
                        throw new IllegalArgumentException("test failed at " + path);
                    }
                }
                default -> throw new IllegalArgumentException("unsupported JSON patch op '" + kind + "'");
            }
        }
    }

    private static List<String> tokens(String pointer) {
        List<String> out = new ArrayList<>();
        for (String t : pointer.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode resolve(JsonNode root, List<String> tokens, String path) {
        JsonNode n = root;
        for (String t : tokens) {
            if (n.isObject()) {
                n = n.get(t);
            } else if (n.isArray()) {
                n = n.get(index(t, n.size() - 1, path));
            } else {
                n = null;
            }
            if (n == null) {
                throw new IllegalArgumentException("no such path " + path);
            }
        }
        return n;
    }

    private static JsonNode existing(JsonNode parent, String last, String path) {
        JsonNode n = parent.isObject() ? parent.get(last) : parent.isArray() ? parent.get(index(last, parent.size() - 1, path)) : null;
        if (n == null) {
            throw new IllegalArgumentException("no such path " + path);
        }
        return n;
    }

    private static void add(JsonNode parent, String last, JsonNode value, String path) {
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            if ("-".equals(last)) {
                a.add(value);
            } else {
                a.insert(index(last, a.size(), path), value);
            }
        } else {
            throw new IllegalArgumentException("cannot add below a scalar at " + path);
        }
    }

    private static void remove(JsonNode parent, String last, String path) {
        existing(parent, last, path);
        if (parent instanceof ObjectNode o) {
            o.remove(last);
        } else {
            ((ArrayNode) parent).remove(index(last, parent.size() - 1, path));
        }
    }

    private static int index(String token, int max, String path) {
        if (!token.matches("0|[1-9][0-9]*")) {
            throw new IllegalArgumentException("not an array index '" + token + "' in " + path);
        }
        int i = Integer.parseInt(token);
        if (i > max) {
            throw new IllegalArgumentException("index " + i + " out of range in " + path);
        }
        return i;
    }
}
