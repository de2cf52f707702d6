package dev.ensemble.inference.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ensemble.inference.serving.Tensor;
import dev.ensemble.ml.Architecture;
import dev.ensemble.ml.Pixels;
import dev.ensemble.ml.TextIds;
import dev.ensemble.web.ApiException;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Inputs sent as strings to the networks that know how to read them, preprocessed exactly as
 * job-service did when it trained them ({@code dev.ensemble.ml}): a text classifier takes text
 * (hashed word ids), a next-character model takes text (its last characters, by the model's alphabet),
 * a small CNN takes base64-encoded images (PNG, JPEG, BMP, GIF; a {@code data:} URL prefix is allowed).
 * One string is one row; an array of strings is a batch.
 */
final class EncodedInputs {

    private EncodedInputs() {
    }

    static boolean applies(JsonNode values, Architecture net) {
        if (net == null || net instanceof Architecture.Mlp) {
            return false;
        }
        return values.isTextual() || values.isArray() && !values.isEmpty() && values.get(0).isTextual();
    }

    static Inputs.Parsed parse(JsonNode values, String field, Architecture net, List<String> labels, int maxRows) {
        boolean single = values.isTextual();
        List<String> items = new ArrayList<>();
        if (single) {
            items.add(values.asText());
        } else {
            for (int i = 0; i < values.size(); i++) {
                if (!values.get(i).isTextual()) {
                    throw ApiException.badRequest(field + "[" + i + "]", "expected a string like the others");
                }
                items.add(values.get(i).asText());
            }
        }
        if (items.size() > maxRows) {
            throw ApiException.badRequest(field, "at most " + maxRows + " rows per request, got " + items.size());
        }
        long[] row = net.inputShape();
        int width = (int) new ai.djl.ndarray.types.Shape(row).size();
        float[] data = new float[items.size() * width];
        for (int i = 0; i < items.size(); i++) {
            String where = single ? field : field + "[" + i + "]";
            float[] r;
            if (net instanceof Architecture.TextTransformer t) {
                r = floats(TextIds.wordIds(items.get(i), t.vocab(), t.length()));
            } else if (net instanceof Architecture.CharTransformer c) {
                r = floats(TextIds.charIds(items.get(i), alphabet(c, labels, where), c.context()));
            } else if (net instanceof Architecture.Cnn c) {
                r = image(items.get(i), c, where);
            } else {
                throw ApiException.badRequest(where, Inputs.expected(row));
            }
            System.arraycopy(r, 0, data, i * width, width);
        }
        long[] shape = new long[row.length + 1];
        shape[0] = items.size();
        System.arraycopy(row, 0, shape, 1, row.length);
        return new Inputs.Parsed(new Tensor(shape, data), single);
    }

    private static String alphabet(Architecture.CharTransformer c, List<String> labels, String field) {
        if (labels == null || labels.size() != c.characters() || labels.stream().anyMatch(l -> l.length() != 1)) {
            throw ApiException.badRequest(field, "this model has no alphabet (its labels are not its "
                    + c.characters() + " characters); send character ids, " + Inputs.expected(c.inputShape()));
        }
        return String.join("", labels);
    }

    private static float[] image(String encoded, Architecture.Cnn c, String field) {
        if (c.channels() != 3) {
            throw ApiException.badRequest(field, "images are read as RGB; this model takes " + c.channels()
                    + " channels, so send pixel arrays: " + Inputs.expected(c.inputShape()));
        }
        String b64 = encoded.startsWith("data:") && encoded.contains(",") ? encoded.substring(encoded.indexOf(',') + 1)
                : encoded;
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, "expected a base64-encoded image: " + e.getMessage());
        }
        try {
            return Pixels.decode(bytes, c.height(), c.width());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, e.getMessage());
        }
    }

    private static float[] floats(long[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            f[i] = ids[i];
        }
        return f;
    }

    /** Token ids must be whole numbers the model's embedding has a row for. */
    static void checkIds(Tensor t, Architecture net, String field) {
        int vocab = net.vocabulary();
        if (vocab <= 0) {
            return;
        }
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            float v = d[i];
            if (v < 0 || v >= vocab || v != Math.rint(v)) {
                throw ApiException.badRequest(field, "value " + v + " at flat index " + i + " is not a token id: "
                        + "this model takes whole numbers from 0 to " + (vocab - 1) + ", or text as a string");
            }
        }
    }
}
