package dev.ensemble.inference.oip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.inference.models.Shapes;
import dev.ensemble.inference.serving.Tensor;
import dev.ensemble.web.ApiException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** OIP V2 tensors ({@code name}, {@code shape}, {@code datatype}, {@code data}) to and from engine tensors. */
final class OipTensors {

    private static final Set<String> NUMERIC = Set.of("FP32", "FP64", "FP16", "INT8", "INT16", "INT32", "INT64",
            "UINT8", "UINT16", "UINT32", "UINT64");

    private OipTensors() {
    }

    static Tensor read(JsonNode t, long[] rowShape, int maxRows) {
        if (!t.isObject()) {
            throw ApiException.badRequest("inputs[0]", "expected a tensor object {name, shape, datatype, data}");
        }
        JsonNode datatype = t.get("datatype");
        if (datatype == null || !datatype.isTextual()) {
            throw ApiException.badRequest("inputs[0].datatype", "required, e.g. FP32");
        }
        if (!NUMERIC.contains(datatype.asText())) {
            throw ApiException.badRequest("inputs[0].datatype", "unsupported datatype " + abbreviate(datatype.asText())
                    + "; numeric types (FP32, FP64, INT32, INT64, ...) are converted to FP32");
        }
        JsonNode shapeNode = t.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() < 1 || shapeNode.size() > 8) {
            throw ApiException.badRequest("inputs[0].shape", "required: an array of dimensions, rows first");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || d.asLong() < 1 || d.asLong() > 16_000_000) {
                throw ApiException.badRequest("inputs[0].shape[" + i + "]", "expected a positive integer");
            }
            shape[i] = d.asLong();
            count *= shape[i];
            if (count > 16_000_000) {
                throw ApiException.badRequest("inputs[0].shape", "too many values");
            }
        }
        long[] row = Arrays.copyOfRange(shape, 1, shape.length);
        if (rowShape != null && !fits(row, rowShape)) {
            throw ApiException.badRequest("inputs[0].shape", "expected [n, "
                    + Shapes.show(rowShape).replace("[", "").replace("-1", "any") + ", got " + Arrays.toString(shape));
        }
        if (shape[0] > maxRows) {
            throw ApiException.badRequest("inputs[0].shape", "at most " + maxRows + " rows per request");
        }
        JsonNode data = t.get("data");
        if (data == null || !data.isArray()) {
            throw ApiException.badRequest("inputs[0].data", "required: the values, row-major (flat or nested)");
        }
        List<JsonNode> flat = new ArrayList<>((int) count);
        flatten(data, flat, 0);
        if (flat.size() != count) {
            throw ApiException.badRequest("inputs[0].data", "shape " + Arrays.toString(shape) + " needs " + count
                    + " values, got " + flat.size());
        }
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = flat.get(i);
            if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || Math.abs(v.doubleValue()) > Float.MAX_VALUE) {
                throw ApiException.badRequest("inputs[0].data[" + i + "]", "expected a finite number");
            }
            values[i] = (float) v.doubleValue();
        }
        return new Tensor(shape, values);
    }

    private static void flatten(JsonNode node, List<JsonNode> out, int depth) {
        if (depth > 8) {
            throw ApiException.badRequest("inputs[0].data", "nested too deeply");
        }
        for (JsonNode n : node) {
            if (n.isArray()) {
                flatten(n, out, depth + 1);
            } else {
                out.add(n);
            }
            if (out.size() > 16_000_000) {
                throw ApiException.badRequest("inputs[0].data", "too many values");
            }
        }
    }

    private static boolean fits(long[] row, long[] expected) {
        if (row.length != expected.length) {
            return false;
        }
        for (int i = 0; i < row.length; i++) {
            if (expected[i] > 0 && row[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    static Map<String, Object> write(String name, Tensor out) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("shape", Arrays.stream(out.shape()).boxed().toList());
        t.put("datatype", "FP32");
        float[] d = out.data();
        List<Float> data = new ArrayList<>(d.length);
        for (float f : d) {
            data.add(f);
        }
        t.put("data", data);
        return t;
    }

    private static String abbreviate(String s) {
        return s.length() > 20 ? s.substring(0, 20) + "..." : s;
    }

}
