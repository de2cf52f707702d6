package dev.ensemble.inference.models;

import ai.djl.basicmodelzoo.basic.Mlp;
import ai.djl.nn.Block;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The known blocks a DJL {@code .params} file can be loaded into, named by an architecture string.
 * Today: {@code mlp:<inputs>-<hidden>-...-<outputs>} or job-service's {@code mlp-<inputs>-...-<outputs>}
 * (DJL's {@link Mlp}: Linear layers with ReLU between them), e.g. {@code mlp:4-16-3}.
 */
public final class Blocks {

    private static final Pattern MLP = Pattern.compile("mlp[-:(]\\s*(\\d+(?:\\s*[-,]\\s*\\d+)+)\\s*\\)?");

    private Blocks() {
    }

    /** A block architecture, parsed. */
    public record Architecture(String name, int inputs, int[] hidden, int outputs) {
        public Block newBlock() {
            return new Mlp(inputs, outputs, hidden);
        }
    }

    /** The architecture an {@code architecture} string names, or an IllegalArgumentException saying why not. */
    public static Architecture parse(String architecture) {
        if (architecture == null || architecture.isBlank()) {
            throw new IllegalArgumentException("a DJL .params model needs `architecture`, e.g. mlp:4-16-3");
        }
        Matcher m = MLP.matcher(architecture.trim().toLowerCase());
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown architecture '" + abbreviate(architecture)
                    + "'; known: mlp:<inputs>-<hidden>...-<outputs>");
        }
        int[] sizes = Arrays.stream(m.group(1).split("[-,]")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        for (int s : sizes) {
            if (s < 1 || s > 65536) {
                throw new IllegalArgumentException("layer sizes must be between 1 and 65536");
            }
        }
        return new Architecture("mlp", sizes[0], Arrays.copyOfRange(sizes, 1, sizes.length - 1), sizes[sizes.length - 1]);
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
