package dev.ensemble.job.ml;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.ensemble.ml.Networks;
import dev.ensemble.ml.TextIds;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

/** Runs a trained model (by its {@link ModelSpec}) over an inference job's input. */
public final class Predictions {

    static final int MAX_ROWS = 10_000;

    private Predictions() {
    }

    /**
     * @param resolvePath turns a user's data path into a file inside their data root (image inputs)
     */
    public static Map<String, Object> run(ModelSpec spec, Path modelDir, String input, Function<String, Path> resolvePath,
                                          RunContext ctx) {
        if ("classical".equals(spec.format())) {
            return classical(spec, modelDir, input, ctx);
        }
        Djl.configure();
        try (Model model = Model.newInstance(spec.modelId())) {
            model.setBlock(spec.newBlock());
            try {
                model.load(modelDir, "model");
            } catch (MalformedModelException e) {
                if (!"tabular".equals(spec.task())) {
                    throw e;
                }
                // an MLP trained before the block gained its flatten layer (see Networks.legacyMlp)
                model.setBlock(Networks.legacyMlp(spec.hidden(), spec.labels().size()));
                model.load(modelDir, "model");
            }
            ctx.checkStopped();
            return switch (spec.task()) {
                case "tabular" -> classify(model, spec, tabularRows(spec, input, true), ctx);
                case "image" -> images(model, spec, resolvePath.apply(input), ctx);
                case "text" -> classify(model, spec, textRows(spec, input), ctx);
                case "chars" -> {
                    int max = ctx.intParam("max_length", 100, 1, 2000);
                    double temperature = ctx.doubleParam("temperature", 0.7, 0, 5);
                    long seed = ctx.intParam("seed", 42, 0, Integer.MAX_VALUE);
                    String generated = generate(model, spec, input, Math.min(max, 500), temperature, new Random(seed));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("prompt", input);
                    out.put("generated_text", generated);
                    out.put("characters", generated.length());
                    yield out;
                }
                default -> throw new JobInputException("unknown model task " + spec.task());
            };
        } catch (IOException | MalformedModelException e) {
            throw new JobInputException("the model cannot be loaded: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> classify(Model model, ModelSpec spec, Object rows, RunContext ctx) {
        NDManager m = model.getNDManager();
        NDArray x = rows instanceof float[][] f ? m.create(f) : m.create((long[][]) rows);
        return summarize(spec, forwardProbabilities(model, x), ctx);
    }

    private static Map<String, Object> images(Model model, ModelSpec spec, Path path, RunContext ctx) {
        List<Path> files = new ArrayList<>();
        try {
            if (Files.isDirectory(path)) {
                try (Stream<Path> s = Files.walk(path, 2)) {
                    s.filter(Files::isRegularFile).filter(ImageData::isImage).sorted().limit(1000).forEach(files::add);
                }
            } else {
                files.add(path);
            }
        } catch (IOException e) {
            throw new JobInputException("cannot read the images: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new JobInputException("input_data names no images");
        }
        int size = spec.imageSize();
        float[] flat = new float[files.size() * 3 * size * size];
        for (int i = 0; i < files.size(); i++) {
            System.arraycopy(ImageData.read(files.get(i), size), 0, flat, i * 3 * size * size, 3 * size * size);
        }
        NDArray x = model.getNDManager().create(flat).reshape(new Shape(files.size(), 3, size, size));
        Map<String, Object> out = summarize(spec, forwardProbabilities(model, x), ctx);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> preds = (List<Map<String, Object>>) out.get("predictions");
        for (int i = 0; i < preds.size(); i++) {
            preds.get(i).put("input", files.get(i).getFileName().toString());
        }
        return out;
    }

    static float[][] forwardProbabilities(Model model, NDArray x) {
        NDList out = model.getBlock().forward(new ParameterStore(model.getNDManager(), false), new NDList(x), false);
        NDArray p = out.singletonOrThrow().softmax(1);
        long rows = p.getShape().get(0);
        int classes = (int) p.getShape().get(1);
        float[] flat = p.toFloatArray();
        float[][] result = new float[(int) rows][classes];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * classes, result[i], 0, classes);
        }
        return result;
    }

    private static Map<String, Object> summarize(ModelSpec spec, float[][] probs, RunContext ctx) {
        int topK = ctx.intParam("top_k", Math.min(5, spec.labels().size()), 1, 1000);
        double threshold = ctx.doubleParam("confidence_threshold", 0, 0, 1);
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (float[] row : probs) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < row.length; i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingDouble(i -> -row[i]));
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("label", spec.labels().get(order.get(0)));
            p.put("confidence", NeuralTrainer.round(row[order.get(0)]));
            List<Map<String, Object>> top = new ArrayList<>();
            for (int k = 0; k < Math.min(topK, order.size()); k++) {
                int c = order.get(k);
                if (row[c] >= threshold || k == 0 && threshold == 0) {
                    top.add(Map.of("label", spec.labels().get(c), "score", NeuralTrainer.round(row[c])));
                }
            }
            p.put("top_k", top);
            p.put("above_threshold", row[order.get(0)] >= threshold);
            predictions.add(p);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("predictions", predictions);
        out.put("count", predictions.size());
        return out;
    }

    private static Map<String, Object> classical(ModelSpec spec, Path modelDir, String input, RunContext ctx) {
        org.tribuo.Model<?> loaded;
        try {
            loaded = org.tribuo.Model.deserializeFromFile(modelDir.resolve(spec.files().get("tribuo")));
        } catch (IOException | RuntimeException e) {
            throw new JobInputException("the model cannot be loaded: " + e.getMessage(), e);
        }
        @SuppressWarnings("unchecked")
        org.tribuo.Model<Label> model = (org.tribuo.Model<Label>) loaded;
        boolean probability = !Boolean.FALSE.equals(ctx.parameters().get("probability"))
                && !"false".equals(String.valueOf(ctx.parameters().get("probability")));
        String[] names = spec.featureNames().toArray(String[]::new);
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (float[] row : tabularRows(spec, input, false)) {
            Prediction<Label> p = model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names,
                    TribuoJobs.toDouble(row)));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("label", p.getOutput().getLabel());
            if (probability && p.hasProbabilities()) {
                Map<String, Object> scores = new LinkedHashMap<>();
                p.getOutputScores().forEach((k, v) -> scores.put(k, NeuralTrainer.round(v.getScore())));
                out.put("probabilities", scores);
                out.put("confidence", NeuralTrainer.round(p.getOutput().getScore()));
            }
            predictions.add(out);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("predictions", predictions);
        out.put("count", predictions.size());
        return out;
    }

    /**
     * Rows of numbers: lines or {@code ;}-separated rows of comma-separated values, or a JSON array of
     * arrays. A first row equal to the feature names is a header and skipped.
     */
    static float[][] tabularRows(ModelSpec spec, String input, boolean standardize) {
        int width = spec.featureNames().size();
        String text = input.trim();
        if (text.startsWith("[")) {
            text = text.replaceAll("\\]\\s*,\\s*\\[", ";").replace("[", "").replace("]", "");
        }
        List<float[]> rows = new ArrayList<>();
        int n = 0;
        for (String line : text.split("[;\\n]")) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = Csv.parse(line.trim());
            if (n == 1 && cells.length == width && List.of(cells).stream().map(String::trim).toList()
                    .equals(spec.featureNames())) {
                continue;
            }
            if (cells.length != width) {
                throw new JobInputException("input_data row " + n + " has " + cells.length + " values, the model takes "
                        + width + " (" + String.join(",", spec.featureNames()) + ")");
            }
            float[] row = new float[width];
            for (int j = 0; j < width; j++) {
                row[j] = TabularData.parseFloat(cells[j], spec.featureNames().get(j), n);
                if (standardize) {
                    row[j] = (row[j] - spec.mean()[j]) / spec.std()[j];
                }
            }
            rows.add(row);
            if (rows.size() > MAX_ROWS) {
                throw new JobInputException("input_data has more than " + MAX_ROWS + " rows");
            }
        }
        if (rows.isEmpty()) {
            throw new JobInputException("input_data holds no rows");
        }
        return rows.toArray(float[][]::new);
    }

    static long[][] textRows(ModelSpec spec, String input) {
        List<long[]> rows = new ArrayList<>();
        for (String line : input.split("\\n")) {
            if (!line.isBlank()) {
                rows.add(TextIds.wordIds(line, spec.vocabSize(), spec.maxLength()));
            }
        }
        if (rows.isEmpty()) {
            throw new JobInputException("input_data holds no text");
        }
        return rows.toArray(long[][]::new);
    }

    /** Continues {@code prompt} one character at a time; temperature 0 is greedy. */
    public static String generate(Model model, ModelSpec spec, String prompt, int count, double temperature, Random random) {
        StringBuilder text = new StringBuilder(prompt);
        StringBuilder generated = new StringBuilder();
        NDManager manager = model.getNDManager();
        for (int i = 0; i < count; i++) {
            try (NDManager step = manager.newSubManager()) {
                long[] ids = TextIds.charIds(text.toString(), spec.alphabet(), spec.maxLength());
                NDArray x = step.create(new long[][]{ids});
                float[] p = forwardProbabilities(model, x)[0];
                int next = sample(p, temperature, random);
                char c = spec.alphabet().charAt(next);
                text.append(c);
                generated.append(c);
            }
        }
        return generated.toString();
    }

    static int sample(float[] p, double temperature, Random random) {
        if (temperature <= 0) {
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                if (p[i] > p[best]) {
                    best = i;
                }
            }
            return best;
        }
        double[] w = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            w[i] = Math.pow(Math.max(p[i], 1e-12), 1.0 / temperature);
            sum += w[i];
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < w.length; i++) {
            r -= w[i];
            if (r <= 0) {
                return i;
            }
        }
        return w.length - 1;
    }
}
