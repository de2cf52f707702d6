package dev.ensemble.llm.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained character language model: the DJL model (parameters), its {@link Vocabulary} and its
 * {@link LanguageModelSpec}. On disk it is a directory holding {@code spec.json}, {@code vocab.txt}
 * and {@code model-0000.params}.
 *
 * <p>Thread-safety: a loaded model is read-only and may be shared. Each generation creates its own
 * {@link Generation} with its own native memory scope and LSTM state, so any number of threads may
 * generate at once; the parameters are only read. Close the model when no generation uses it.
 */
public final class LanguageModel implements AutoCloseable {

    static final String PARAMS_PREFIX = "model";
    static final String SPEC_FILE = "spec.json";
    static final String VOCAB_FILE = "vocab.txt";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Model model;
    private final LanguageModelSpec spec;
    private final Vocabulary vocabulary;

    LanguageModel(Model model, LanguageModelSpec spec, Vocabulary vocabulary) {
        this.model = model;
        this.spec = spec;
        this.vocabulary = vocabulary;
    }

    /** Loads a model directory written by {@link #save} onto the CPU. */
    public static LanguageModel load(Path dir) throws IOException {
        return load(dir, Device.cpu());
    }

    /** Loads a model directory written by {@link #save} onto {@code device}. */
    public static LanguageModel load(Path dir, Device device) throws IOException {
        if (!exists(dir)) {
            throw new IOException("not a language model directory: " + dir);
        }
        LanguageModelSpec spec = JSON.readValue(dir.resolve(SPEC_FILE).toFile(), LanguageModelSpec.class);
        Vocabulary vocabulary = Vocabulary.load(dir.resolve(VOCAB_FILE));
        if (vocabulary.size() != spec.vocabularySize()) {
            throw new IOException("vocabulary has " + vocabulary.size() + " ids, spec says " + spec.vocabularySize());
        }
        Model model = Model.newInstance("char-lstm", device, LlmRuntime.ENGINE);
        model.setBlock(new CharLstmBlock(spec));
        try {
            model.load(dir, PARAMS_PREFIX);
        } catch (MalformedModelException e) {
            model.close();
            throw new IOException("malformed model parameters in " + dir + ": " + e.getMessage(), e);
        }
        return new LanguageModel(model, spec, vocabulary);
    }

    /** Whether {@code dir} holds a complete saved model. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(SPEC_FILE))
                && Files.isRegularFile(dir.resolve(VOCAB_FILE))
                && Files.isRegularFile(dir.resolve(PARAMS_PREFIX + "-0000.params"));
    }

    /** Writes spec, vocabulary and parameters into {@code dir} (created if missing). */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(SPEC_FILE).toFile(), spec);
        vocabulary.save(dir.resolve(VOCAB_FILE));
        model.setProperty("Epoch", "0");
        model.save(dir, PARAMS_PREFIX);
    }

    public LanguageModelSpec spec() {
        return spec;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The device the parameters live on. */
    public Device device() {
        return model.getNDManager().getDevice();
    }

    /** A generator over this model (cheap; stateless; thread-safe). */
    public Generator generator() {
        return new Generator(this);
    }

    /** Starts one generation (shortcut for {@code generator().start(prompt, params)}). */
    public Generation start(String prompt, GenerationParams params) {
        return new Generation(this, prompt, params);
    }

    /**
     * The next-token logits after reading all of {@code text} from an empty state: one row of
     * {@code vocabularySize} floats per input token. For tests and evaluation.
     */
    public float[][] logits(String text) {
        int[] ids = vocabulary.encode(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("text is empty");
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            boolean grad = GradMode.disable();
            try {
                NDList out = forward(manager, ids, null, null);
                float[] flat = out.get(0).toFloatArray();
                int v = spec.vocabularySize();
                float[][] rows = new float[ids.length][v];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(flat, i * v, rows[i], 0, v);
                }
                return rows;
            } finally {
                GradMode.restore(grad);
            }
        }
    }

    /** Runs the network over {@code ids} (batch 1) from state (h, c), or from zeros when null. */
    NDList forward(NDManager manager, int[] ids, NDArray h, NDArray c) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        NDArray x = manager.create(longs, new Shape(1, ids.length));
        NDList in = h == null ? new NDList(x) : new NDList(x, h, c);
        return model.getBlock().forward(new ParameterStore(manager, false), in, false);
    }

    NDManager newManager() {
        return model.getNDManager().newSubManager();
    }

    Model djlModel() {
        return model;
    }

    @Override
    public void close() {
        model.close();
    }

    /** Turns autograd recording off on the current thread for inference (PyTorch's grad mode is thread-local). */
    static final class GradMode {
        private GradMode() {
        }

        static boolean disable() {
            boolean was = ai.djl.pytorch.jni.JniUtils.isGradMode();
            if (was) {
                ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            }
            return was;
        }

        static void restore(boolean was) {
            if (was) {
                ai.djl.pytorch.jni.JniUtils.setGradMode(true);
            }
        }
    }

}
