package dev.ensemble.inference.models;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Row shapes as stored ({@code 3,32,32}) and shown ({@code [3, 32, 32]}). */
public final class Shapes {
    private Shapes() {
    }

    public static long[] parse(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.trim().replace("[", "").replace("]", "");
        if (t.isBlank()) {
            return new long[0];
        }
        long[] shape = Arrays.stream(t.split("[,x ]+")).filter(p -> !p.isBlank()).mapToLong(Long::parseLong).toArray();
        for (long d : shape) {
            if (d < -1 || d == 0 || d > 1_000_000) {
                throw new NumberFormatException("dimension out of range: " + d);
            }
        }
        return shape;
    }

    public static String format(long[] shape) {
        return shape == null ? null : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(","));
    }

    public static String show(long[] shape) {
        return shape == null ? "unknown" : Arrays.toString(shape);
    }

    public static List<Long> list(long[] shape) {
        return shape == null ? null : Arrays.stream(shape).boxed().toList();
    }
}
