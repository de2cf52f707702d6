package dev.ensemble.llm.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The default language model, which the project trains itself from the public-domain corpus in this
 * library's resources (see {@code corpus/NOTICE.md}): Aesop's fables, Shakespeare's sonnets,
 * nursery rhymes and a few chat exchanges. {@link #ensure(Path)} trains it into a directory on first
 * use (about a minute on two CPU cores) and loads it; later calls only load it.
 *
 * <p>Training goes to a sibling temporary directory that is moved into place when complete, under a
 * file lock, so two processes starting together train it once and never see half a model. The
 * directory also gets {@code training.json} with the metrics, the options and the corpus hash.
 */
public final class BundledModel {

    /** The model id under which services list it. */
    public static final String MODEL_ID = "ensemble-fables-lstm";
    /** The corpus files, in training order; the held-out validation text is the tail of the rhymes. */
    public static final List<String> CORPUS_FILES = List.of("fables.txt", "sonnets.txt", "dialogues.txt", "rhymes.txt");
    static final String METRICS_FILE = "training.json";

    private BundledModel() {
    }

    /** How many times the chat exchanges are repeated in the training text, so the small model learns the chat format. */
    static final int DIALOGUE_WEIGHT = 3;

    /** The training text: the corpus files joined by blank lines, the dialogues {@value #DIALOGUE_WEIGHT} times. */
    public static String corpus() {
        StringBuilder sb = new StringBuilder();
        List<String> files = new java.util.ArrayList<>(CORPUS_FILES);
        for (int i = 1; i < DIALOGUE_WEIGHT; i++) {
            files.add(files.indexOf("dialogues.txt"), "dialogues.txt");
        }
        for (String name : files) {
            try (InputStream in = BundledModel.class.getResourceAsStream("/dev/ensemble/llm/corpus/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("corpus file missing from the class path: " + name);
                }
                sb.append(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()).append("\n\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sb.toString();
    }

    /**
     * The bundled model's training options: one LSTM layer of 256 units, 280 steps of 32 windows of
     * 96 characters (about 860,000 characters, some 14 passes over the corpus), seed 2024.
     */
    public static TrainingOptions defaultOptions() {
        return new TrainingOptions(256, 1, 280, 32, 96, 0.006f, 1f, 2024L, 0.02, 0, null, null, ai.djl.Device.cpu());
    }

    /** Trains the bundled model into {@code dir} if it is not there, then loads it (CPU). */
    public static LanguageModel ensure(Path dir) throws IOException {
        return ensure(dir, defaultOptions(), null);
    }

    /** Trains with {@code options} into {@code dir} if no model is there, then loads it. */
    public static LanguageModel ensure(Path dir, TrainingOptions options, TrainingListener listener) throws IOException {
        ensureTrained(dir, options, listener);
        return LanguageModel.load(dir, options.device());
    }

    /**
     * Trains into {@code dir} unless a complete model is already there.
     *
     * @return the training metrics of this call, or null when the model already existed
     */
    public static TrainingResult ensureTrained(Path dir, TrainingOptions options, TrainingListener listener) throws IOException {
        if (LanguageModel.exists(dir)) {
            return null;
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path lockFile = parent.resolve("." + dir.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            if (LanguageModel.exists(dir)) {
                return null; // another process trained it while we waited
            }
            Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".training-");
            try {
                String text = corpus();
                TrainingResult result;
                try (TrainedModel trained = new LanguageModelTrainer(options, 20).train(text, listener, null)) {
                    trained.model().save(tmp);
                    result = trained.result();
                }
                writeMetrics(tmp.resolve(METRICS_FILE), result, options, text);
                if (Files.exists(dir)) {
                    deleteRecursively(dir); // an incomplete leftover
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, dir);
                }
                return result;
            } finally {
                if (Files.exists(tmp)) {
                    deleteRecursively(tmp);
                }
            }
        }
    }

    /** The metrics written next to a bundled model, or an empty map when there are none. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> metrics(Path dir) throws IOException {
        Path f = dir.resolve(METRICS_FILE);
        return Files.isRegularFile(f) ? LanguageModel.JSON.readValue(f.toFile(), Map.class) : Map.of();
    }

    private static void writeMetrics(Path file, TrainingResult r, TrainingOptions o, String text) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_id", MODEL_ID);
        m.put("corpus_files", CORPUS_FILES);
        m.put("corpus_characters", text.length());
        m.put("corpus_sha256", sha256(text));
        m.put("hidden_size", o.hiddenSize());
        m.put("layers", o.layers());
        m.put("steps", r.steps());
        m.put("batch_size", o.batchSize());
        m.put("sequence_length", o.sequenceLength());
        m.put("learning_rate", o.learningRate());
        m.put("seed", o.seed());
        m.put("epochs", r.epochs());
        m.put("initial_loss", r.initialLoss());
        m.put("final_loss", r.finalLoss());
        m.put("validation_loss", Double.isNaN(r.validationLoss()) ? null : r.validationLoss());
        m.put("parameters", r.parameters());
        m.put("vocabulary_size", r.vocabularySize());
        m.put("duration_ms", r.durationMillis());
        m.put("tokens_per_second", Math.round(r.tokensPerSecond()));
        m.put("trained_at", java.time.Instant.now().toString());
        LanguageModel.JSON.writeValue(file.toFile(), m);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
