package dev.ensemble.inference.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ensemble.inference.serving.Tensor;
import dev.ensemble.ml.Architecture;
import dev.ensemble.web.ApiException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads the seed's {@code inputs} (one row or a batch of rows, as nested JSON arrays of numbers, or
 * as strings for the networks that read text or images: {@link EncodedInputs}) into a tensor checked
 * against the model's row shape, and writes answers back as nested arrays.
 */
public final class Inputs {

    private Inputs() {
    }

    /** A parsed request: the rows and whether the caller sent one row (not a batch). */
    public record Parsed(Tensor tensor, boolean single) {
    }

    /**
     * {@code inputs} is an array, or an object with one array member (any name; the model's input
     * name or {@code features} when it has several).
     */
    public static Parsed parse(JsonNode inputs, ServedModel m, int maxRows) {
        if (inputs == null || inputs.isNull() || inputs.isMissingNode()) {
            throw ApiException.badRequest("inputs", "required: " + expected(m.inputRowShape()));
        }
        String field = "inputs";
        JsonNode values = inputs;
        if (inputs.isObject()) {
            if (inputs.size() == 0) {
                throw ApiException.badRequest("inputs", "required: " + expected(m.inputRowShape()));
            }
            if (m.featureNames() != null && named(inputs)) {
                return byName(inputs, m.featureNames());
            }
            String name = null;
            if (inputs.size() == 1) {
                name = inputs.fieldNames().next();
            } else if (m.inputName() != null && inputs.has(m.inputName())) {
                name = m.inputName();
            } else if (inputs.has("features")) {
                name = "features";
            } else {
                throw ApiException.badRequest("inputs", "expected one input tensor (e.g. `features`), got "
                        + inputs.size() + " members");
            }
            field = "inputs." + (name.length() > 40 ? name.substring(0, 40) : name);
            values = inputs.get(name);
        }
        Architecture net = m.network();
        if (EncodedInputs.applies(values, net)) {
            return EncodedInputs.parse(values, field, net, m.labels(), maxRows);
        }
        Parsed parsed = parseArray(values, field, m.inputRowShape(), maxRows);
        checkIds(parsed.tensor(), m, field);
        return parsed;
    }

    private static boolean named(JsonNode inputs) {
        for (JsonNode v : inputs) {
            if (!v.isNumber()) {
                return false;
            }
        }
        return true;
    }

    /** One row given as {@code {feature: value}}, placed in the model's feature order. */
    private static Parsed byName(JsonNode inputs, List<String> features) {
        float[] row = new float[features.size()];
        for (int i = 0; i < row.length; i++) {
            JsonNode v = inputs.get(features.get(i));
            if (v == null) {
                throw ApiException.badRequest("inputs." + features.get(i), "missing; the model's features are "
                        + features);
            }
            double d = v.doubleValue();
            if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) {
                throw ApiException.badRequest("inputs." + features.get(i), "expected a finite float32 number");
            }
            row[i] = (float) d;
        }
        if (inputs.size() != features.size()) {
            var it = inputs.fieldNames();
            while (it.hasNext()) {
                String n = it.next();
                if (!features.contains(n)) {
                    throw ApiException.badRequest("inputs." + (n.length() > 40 ? n.substring(0, 40) : n),
                            "unknown feature; the model's features are " + features);
                }
            }
        }
        return new Parsed(new Tensor(new long[]{1, row.length}, row), true);
    }

    /** For a network over token ids: every value must be an id it has (a 400 naming the range otherwise). */
    public static void checkIds(Tensor t, ServedModel m, String field) {
        if (m.network() != null) {
            EncodedInputs.checkIds(t, m.network(), field);
        }
    }

    /** Nested arrays of numbers checked against a row shape (null: any consistent shape). */
    public static Parsed parseArray(JsonNode values, String field, long[] rowShape, int maxRows) {
        if (values == null || !values.isArray()) {
            throw ApiException.badRequest(field, "expected an array of numbers: " + expected(rowShape));
        }
        List<Long> dims = new ArrayList<>();
        JsonNode n = values;
        while (n.isArray()) {
            dims.add((long) n.size());
            if (n.size() == 0 || dims.size() > 8) {
                break;
            }
            n = n.get(0);
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        boolean single;
        if (rowShape != null) {
            if (shape.length == rowShape.length && matches(shape, rowShape)) {
                single = true;
            } else if (shape.length == rowShape.length + 1
                    && matches(Arrays.copyOfRange(shape, 1, shape.length), rowShape)) {
                single = false;
            } else {
                throw ApiException.badRequest(field, expected(rowShape) + ", got shape " + Arrays.toString(shape));
            }
        } else {
            single = shape.length == 1;
        }
        long[] full = single ? prepend(1, shape) : shape;
        if (full[0] < 1) {
            throw ApiException.badRequest(field, "expected at least one row");
        }
        if (full[0] > maxRows) {
            throw ApiException.badRequest(field, "at most " + maxRows + " rows per request, got " + full[0]);
        }
        long total = 1;
        for (long d : full) {
            total *= d;
            if (total > 16_000_000) {
                throw ApiException.badRequest(field, "too many values");
            }
        }
        float[] data = new float[(int) total];
        int[] at = {0};
        fill(values, single ? shape : full, 0, data, at, field);
        return new Parsed(new Tensor(full, data), single);
    }

    private static void fill(JsonNode node, long[] shape, int depth, float[] data, int[] at, String path) {
        if (node.size() != shape[depth]) {
            throw ApiException.badRequest(path, "ragged array: expected " + shape[depth] + " values, got " + node.size());
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode v = node.get(i);
            String p = path + "[" + i + "]";
            if (depth == shape.length - 1) {
                if (!v.isNumber()) {
                    throw ApiException.badRequest(p, "expected a number");
                }
                double d = v.doubleValue();
                if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) {
                    throw ApiException.badRequest(p, "expected a finite float32 number");
                }
                data[at[0]++] = (float) d;
            } else {
                if (!v.isArray()) {
                    throw ApiException.badRequest(p, "expected an array");
                }
                fill(v, shape, depth + 1, data, at, p);
            }
        }
    }

    private static boolean matches(long[] shape, long[] expected) {
        for (int i = 0; i < shape.length; i++) {
            if (expected[i] > 0 && shape[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static long[] prepend(long first, long[] rest) {
        long[] s = new long[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }

    public static String expected(long[] rowShape) {
        if (rowShape == null) {
            return "expected a row or a batch of rows of float32 numbers";
        }
        return "expected shape " + Shapes.show(rowShape).replace("-1", "any") + " (float32) for one row or [n, "
                + Shapes.show(rowShape).replace("[", "").replace("-1", "any") + " for a batch";
    }

    /** The seed's {@code outputs}: {@code predictions} (one row or one per row) and, for classifiers, {@code label}. */
    public static ObjectNode outputs(Tensor out, boolean single, List<String> labels) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        long[] row = out.rowShape();
        int size = out.rowSize();
        boolean classifier = labels != null && row.length == 1 && row[0] == labels.size();
        if (single) {
            o.set("predictions", nested(out.data(), 0, row, 0));
            if (classifier) {
                o.put("label", labels.get(argmax(out.data(), 0, size)));
            }
        } else {
            ArrayNode rows = o.putArray("predictions");
            for (int r = 0; r < out.rows(); r++) {
                rows.add(nested(out.data(), r * size, row, 0));
            }
            if (classifier) {
                ArrayNode l = o.putArray("label");
                for (int r = 0; r < out.rows(); r++) {
                    l.add(labels.get(argmax(out.data(), r * size, size)));
                }
            }
        }
        if (classifier) {
            ArrayNode c = o.putArray("classes");
            labels.forEach(c::add);
        }
        return o;
    }

    private static JsonNode nested(float[] data, int offset, long[] shape, int depth) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        if (shape.length == 0) {
            a.add(data[offset]);
            return a;
        }
        int stride = 1;
        for (int i = depth + 1; i < shape.length; i++) {
            stride *= (int) shape[i];
        }
        for (int i = 0; i < shape[depth]; i++) {
            if (depth == shape.length - 1) {
                a.add(data[offset + i]);
            } else {
                a.add(nested(data, offset + i * stride, shape, depth + 1));
            }
        }
        return a;
    }

    static int argmax(float[] data, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (data[offset + i] > data[offset + best]) {
                best = i;
            }
        }
        return best;
    }

}
