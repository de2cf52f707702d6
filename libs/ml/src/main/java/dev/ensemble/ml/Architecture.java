package dev.ensemble.ml;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network named by a string, so that the service that trains it and the service that serves it
 * build the same DJL block from the same words and a saved {@code .params} file loads into it.
 *
 * <p>The strings, as {@link #id()} writes them (older spellings in brackets are read too):
 * <ul>
 *   <li>{@code mlp-<inputs>-<hidden>...-<outputs>} ({@code mlp:4-16-3}, {@code mlp(4,16,3)}): DJL's
 *   multilayer perceptron, float rows of {@code inputs} values.</li>
 *   <li>{@code small-cnn-<channels>x<height>x<width>-<classes>}: two 3x3 convolutions with max pooling
 *   and two dense layers over float images {@code [channels, height, width]} scaled to 0..1.</li>
 *   <li>{@code text-transformer-<layers>x<embedding>-h<heads>-len<length>-vocab<ids>-<classes>}
 *   ({@code -h2} and {@code -vocab512} may be left out): a text classifier over hashed word ids
 *   ({@link TextIds#wordIds}).</li>
 *   <li>{@code char-transformer-<layers>x<embedding>-h<heads>-ctx<length>-vocab<characters>}: a
 *   next-character model; ids are 1-based positions in its alphabet ({@link TextIds#charIds}).</li>
 * </ul>
 */
public sealed interface Architecture
        permits Architecture.Mlp, Architecture.Cnn, Architecture.TextTransformer, Architecture.CharTransformer {

    /** What {@link #parse} says when it cannot read a string. */
    String KNOWN = "mlp:<inputs>-<hidden>...-<outputs>, small-cnn-<channels>x<height>x<width>-<classes>, "
            + "text-transformer-<layers>x<embedding>[-h<heads>]-len<length>[-vocab<ids>]-<classes>, "
            + "char-transformer-<layers>x<embedding>[-h<heads>]-ctx<length>-vocab<characters>";

    /** The canonical string; {@code parse(id())} equals this architecture. */
    String id();

    /** A new, uninitialized block of this architecture. */
    Block newBlock();

    /** The shape of one input row (without the batch dimension). */
    long[] inputShape();

    /** {@link DataType#FLOAT32} for real-valued inputs, {@link DataType#INT64} for token ids. */
    default DataType inputType() {
        return DataType.FLOAT32;
    }

    /** For token-id inputs, how many ids there are (valid ids are 0 to this minus one); 0 otherwise. */
    default int vocabulary() {
        return 0;
    }

    /** Values per output row (classes or next characters). */
    int outputs();

    /** The family, e.g. {@code mlp} or {@code small-cnn}. */
    String family();

    /** DJL's multilayer perceptron (flatten, then Linear layers with ReLU between them). */
    record Mlp(int inputs, List<Integer> hidden, int outputs) implements Architecture {
        public Mlp {
            hidden = List.copyOf(hidden);
            Limits.size("inputs", inputs, 1, 65_536);
            Limits.size("outputs", outputs, 1, 65_536);
            if (hidden.size() > 32) {
                throw new IllegalArgumentException("at most 32 hidden layers");
            }
            hidden.forEach(h -> Limits.size("hidden layer", h, 1, 65_536));
        }

        @Override
        public String id() {
            StringBuilder sb = new StringBuilder("mlp-").append(inputs);
            hidden.forEach(h -> sb.append('-').append(h));
            return sb.append('-').append(outputs).toString();
        }

        @Override
        public Block newBlock() {
            return Networks.mlp(inputs, hidden, outputs);
        }

        @Override
        public long[] inputShape() {
            return new long[]{inputs};
        }

        @Override
        public String family() {
            return "mlp";
        }
    }

    /** A small convolutional classifier over images. */
    record Cnn(int channels, int height, int width, int classes) implements Architecture {
        public Cnn {
            Limits.size("channels", channels, 1, 4);
            Limits.size("image height", height, 4, 1024);
            Limits.size("image width", width, 4, 1024);
            Limits.size("classes", classes, 1, 65_536);
        }

        @Override
        public String id() {
            return "small-cnn-" + channels + "x" + height + "x" + width + "-" + classes;
        }

        @Override
        public Block newBlock() {
            return Networks.cnn(classes);
        }

        @Override
        public long[] inputShape() {
            return new long[]{channels, height, width};
        }

        @Override
        public int outputs() {
            return classes;
        }

        @Override
        public String family() {
            return "small-cnn";
        }
    }

    /** A transformer-encoder text classifier over hashed word ids. */
    record TextTransformer(int layers, int embedding, int heads, int length, int vocab, int classes)
            implements Architecture {
        public TextTransformer {
            Limits.transformer(layers, embedding, heads, length);
            Limits.size("vocab", vocab, 2, 1_000_000);
            Limits.size("classes", classes, 1, 65_536);
        }

        @Override
        public String id() {
            return "text-transformer-" + layers + "x" + embedding + "-h" + heads + "-len" + length + "-vocab" + vocab
                    + "-" + classes;
        }

        @Override
        public Block newBlock() {
            return Networks.textTransformer(vocab, embedding, heads, layers, classes);
        }

        @Override
        public long[] inputShape() {
            return new long[]{length};
        }

        @Override
        public DataType inputType() {
            return DataType.INT64;
        }

        @Override
        public int vocabulary() {
            return vocab;
        }

        @Override
        public int outputs() {
            return classes;
        }

        @Override
        public String family() {
            return "text-transformer";
        }
    }

    /** A transformer-encoder next-character model: ids 1..characters (0 pads), one logit per character. */
    record CharTransformer(int layers, int embedding, int heads, int context, int characters)
            implements Architecture {
        public CharTransformer {
            Limits.transformer(layers, embedding, heads, context);
            Limits.size("characters", characters, 2, 65_535);
        }

        @Override
        public String id() {
            return "char-transformer-" + layers + "x" + embedding + "-h" + heads + "-ctx" + context + "-vocab"
                    + characters;
        }

        @Override
        public Block newBlock() {
            return Networks.textTransformer(characters + 1, embedding, heads, layers, characters);
        }

        @Override
        public long[] inputShape() {
            return new long[]{context};
        }

        @Override
        public DataType inputType() {
            return DataType.INT64;
        }

        @Override
        public int vocabulary() {
            return characters + 1;
        }

        @Override
        public int outputs() {
            return characters;
        }

        @Override
        public String family() {
            return "char-transformer";
        }
    }

    /**
     * The architecture a string names.
     *
     * @throws IllegalArgumentException naming what is wrong and the known forms
     */
    static Architecture parse(String architecture) {
        if (architecture == null || architecture.isBlank()) {
            throw new IllegalArgumentException("no architecture given; known: " + KNOWN);
        }
        String s = architecture.trim().toLowerCase(Locale.ROOT);
        if (s.length() > 200) {
            throw new IllegalArgumentException("the architecture string is longer than 200 characters");
        }
        Matcher m = Forms.MLP.matcher(s);
        if (m.matches()) {
            int[] sizes = Arrays.stream(m.group(1).split("[-,]")).map(String::trim).mapToInt(Limits::integer).toArray();
            return new Mlp(sizes[0], Arrays.stream(sizes, 1, sizes.length - 1).boxed().toList(),
                    sizes[sizes.length - 1]);
        }
        m = Forms.CNN.matcher(s);
        if (m.matches()) {
            return new Cnn(Limits.integer(m.group(1)), Limits.integer(m.group(2)), Limits.integer(m.group(3)),
                    Limits.integer(m.group(4)));
        }
        m = Forms.TEXT.matcher(s);
        if (m.matches()) {
            return new TextTransformer(Limits.integer(m.group(1)), Limits.integer(m.group(2)),
                    m.group(3) == null ? 2 : Limits.integer(m.group(3)), Limits.integer(m.group(4)),
                    m.group(5) == null ? TextIds.DEFAULT_VOCAB : Limits.integer(m.group(5)),
                    Limits.integer(m.group(6)));
        }
        m = Forms.CHARS.matcher(s);
        if (m.matches()) {
            return new CharTransformer(Limits.integer(m.group(1)), Limits.integer(m.group(2)),
                    m.group(3) == null ? 2 : Limits.integer(m.group(3)), Limits.integer(m.group(4)),
                    Limits.integer(m.group(5)));
        }
        String shown = architecture.length() > 60 ? architecture.substring(0, 60) + "..." : architecture;
        throw new IllegalArgumentException("unknown architecture '" + shown + "'; known: " + KNOWN);
    }

    /** The patterns {@link #parse} reads. */
    final class Forms {
        static final Pattern MLP = Pattern.compile("mlp[-:(]\\s*(\\d{1,9}(?:\\s*[-,]\\s*\\d{1,9})+)\\s*\\)?");
        static final Pattern CNN = Pattern.compile("small-cnn-(\\d{1,9})x(\\d{1,9})x(\\d{1,9})-(\\d{1,9})");
        static final Pattern TEXT = Pattern.compile(
                "text-transformer-(\\d{1,9})x(\\d{1,9})(?:-h(\\d{1,9}))?-len(\\d{1,9})(?:-vocab(\\d{1,9}))?-(\\d{1,9})");
        static final Pattern CHARS = Pattern.compile(
                "char-transformer-(\\d{1,9})x(\\d{1,9})(?:-h(\\d{1,9}))?-ctx(\\d{1,9})-vocab(\\d{1,9})");

        private Forms() {
        }
    }

    /** Bounds that keep a hostile string from building an absurd network. */
    final class Limits {
        private Limits() {
        }

        static int integer(String digits) {
            return Integer.parseInt(digits);
        }

        static void size(String what, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
            }
        }

        static void transformer(int layers, int embedding, int heads, int length) {
            size("layers", layers, 1, 48);
            size("embedding", embedding, 1, 4096);
            size("heads", heads, 1, 64);
            size("length", length, 1, 8192);
            if (embedding % heads != 0) {
                throw new IllegalArgumentException("the embedding (" + embedding + ") must be a multiple of the heads ("
                        + heads + ")");
            }
        }
    }
}
