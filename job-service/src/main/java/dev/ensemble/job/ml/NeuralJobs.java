package dev.ensemble.job.ml;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.ensemble.ml.Architecture;
import dev.ensemble.ml.TextIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Neural training on DJL (PyTorch engine): an MLP on numeric CSV, a small CNN on image folders, a
 * small transformer classifier on text CSV (bert-style requests) and a small transformer next-character
 * generator on text (gpt/transformer-style requests). Sizes are capped so jobs stay small on CPU.
 */
public final class NeuralJobs {

    static final int MAX_ROWS = 200_000;

    private NeuralJobs() {
    }

    public static TrainingOutput tabular(String modelId, String modelType, Path data, Path modelDir, RunContext ctx) {
        int epochs = ctx.intParam("epochs", 10, 1, 500);
        int batch = ctx.intParam("batch_size", 32, 1, 4096);
        float lr = (float) ctx.doubleParam("learning_rate", 0.001, 1e-6, 1.0);
        long seed = ctx.intParam("random_state", 42, 0, Integer.MAX_VALUE);
        List<Integer> hidden = hidden(ctx);
        TabularData d = TabularData.load(data, ctx.stringParam("label_column", null),
                ctx.doubleParam("test_size", 0.2, 0.05, 0.5), seed, MAX_ROWS);
        float[][] ms = d.standardization();
        ModelSpec spec = new ModelSpec(modelId, modelType, "tabular",
                new Architecture.Mlp(d.featureNames.size(), hidden, d.classes.size()).id(),
                "onnx", Djl.ENGINE, d.featureNames, d.classes, ms[0], ms[1], hidden, null, null, null, null, null,
                null, null, Map.of("params", "model-0000.params", "onnx", "model.onnx"));
        ctx.log("INFO", "training " + spec.architecture() + " on " + d.trainX.length + " rows, holding out "
                + d.testX.length);
        return run(spec, modelDir, ctx, epochs, batch, lr, m -> new NDArray[]{
                m.create(standardize(d.trainX, ms)), m.create(toFloat(d.trainY)),
                m.create(standardize(d.testX, ms)), m.create(toFloat(d.testY))},
                List.of((long) d.featureNames.size()), "float32", model -> {
                    try {
                        OnnxExport.mlp(model.getBlock(), ms[0], ms[1], modelId, modelDir.resolve("model.onnx"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    public static TrainingOutput images(String modelId, String modelType, Path data, Path modelDir, RunContext ctx) {
        int epochs = ctx.intParam("epochs", 5, 1, 200);
        int batch = ctx.intParam("batch_size", 16, 1, 1024);
        float lr = (float) ctx.doubleParam("learning_rate", 0.001, 1e-6, 1.0);
        int size = ctx.intParam("image_size", 32, 8, 64);
        long seed = ctx.intParam("random_state", 42, 0, Integer.MAX_VALUE);
        ImageData.Loaded loaded = ImageData.load(data, size, 20_000);
        TabularData d = TabularData.split(List.of(), loaded.classes(), loaded.images(), loaded.labels(),
                ctx.doubleParam("test_size", 0.2, 0.05, 0.5), seed);
        ModelSpec spec = new ModelSpec(modelId, modelType, "image",
                new Architecture.Cnn(3, size, size, d.classes.size()).id(), "onnx", Djl.ENGINE, null, d.classes, null,
                null, null, size, null, null, null, null, null, null,
                Map.of("params", "model-0000.params", "onnx", "model.onnx"));
        ctx.log("INFO", "training " + spec.architecture() + " on " + d.trainX.length + " images, holding out "
                + d.testX.length);
        long[] shape = {3, size, size};
        return run(spec, modelDir, ctx, epochs, batch, lr, m -> new NDArray[]{
                m.create(flat(d.trainX)).reshape(new ai.djl.ndarray.types.Shape(d.trainX.length, 3, size, size)),
                m.create(toFloat(d.trainY)),
                m.create(flat(d.testX)).reshape(new ai.djl.ndarray.types.Shape(d.testX.length, 3, size, size)),
                m.create(toFloat(d.testY))}, List.of(shape[0], shape[1], shape[2]), "float32", model -> {
                    try {
                        OnnxExport.cnn(model.getBlock(), 3, size, size, modelId, modelDir.resolve("model.onnx"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** Text classification: a CSV with a text column and a label column. */
    public static TrainingOutput text(String modelId, String modelType, Path data, Path modelDir, RunContext ctx) {
        int epochs = ctx.intParam("epochs", 5, 1, 200);
        int batch = ctx.intParam("batch_size", 16, 1, 1024);
        float lr = (float) ctx.doubleParam("learning_rate", 0.001, 1e-6, 1.0);
        int length = Math.min(ctx.intParam("max_length", 32, 4, 4096), 32);
        int vocab = TextIds.DEFAULT_VOCAB;
        int embedding = Math.min(ctx.intParam("hidden_size", 32, 8, 4096), 64);
        int layers = Math.min(ctx.intParam("num_layers", 1, 1, 48), 2);
        long seed = ctx.intParam("random_state", 42, 0, Integer.MAX_VALUE);
        Csv.Table table = Csv.read(data, MAX_ROWS);
        String labelCol = TabularData.labelColumn(table, ctx.stringParam("label_column", null));
        String textCol = ctx.stringParam("text_column", table.column("text") >= 0 ? "text" : null);
        if (textCol == null) {
            textCol = table.header().stream().filter(h -> !h.equals(labelCol)).findFirst()
                    .orElseThrow(() -> new JobInputException("the CSV needs a text column and a label column"));
        }
        int ti = table.column(textCol);
        int li = table.column(labelCol);
        if (ti < 0) {
            throw new JobInputException("text_column '" + textCol + "' is not a column of the CSV");
        }
        Map<String, Integer> classIds = new LinkedHashMap<>();
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (String[] row : table.rows()) {
            long[] ids = TextIds.wordIds(row[ti], vocab, length);
            float[] x = new float[length];
            for (int i = 0; i < length; i++) {
                x[i] = ids[i];
            }
            xs.add(x);
            ys.add(classIds.computeIfAbsent(row[li].trim(), k -> classIds.size()));
        }
        if (classIds.size() < 2) {
            throw new JobInputException("the label column '" + labelCol + "' needs at least two classes");
        }
        TabularData d = TabularData.split(List.of(textCol), new ArrayList<>(classIds.keySet()), xs, ys,
                ctx.doubleParam("test_size", 0.2, 0.05, 0.5), seed);
        ModelSpec spec = new ModelSpec(modelId, modelType, "text",
                new Architecture.TextTransformer(layers, embedding, 2, length, vocab, d.classes.size()).id(), "djl", Djl.ENGINE, List.of(textCol), d.classes, null,
                null, null, null, vocab, length, embedding, layers, 2, null, Map.of("params", "model-0000.params"));
        ctx.log("INFO", "training " + spec.architecture() + " on " + d.trainX.length + " texts, holding out "
                + d.testX.length);
        return run(spec, modelDir, ctx, epochs, batch, lr, m -> new NDArray[]{
                m.create(toLong(d.trainX)), m.create(toFloat(d.trainY)),
                m.create(toLong(d.testX)), m.create(toFloat(d.testY))}, List.of((long) length), "int64", model -> { });
    }

    /** Next-character generation over a text corpus (a file or a folder of text files). */
    public static TrainingOutput chars(String modelId, String modelType, Path data, Path modelDir, RunContext ctx) {
        int epochs = ctx.intParam("epochs", 3, 1, 200);
        int batch = ctx.intParam("batch_size", 32, 1, 1024);
        float lr = (float) ctx.doubleParam("learning_rate", 0.003, 1e-6, 1.0);
        int length = Math.min(ctx.intParam("max_length", 16, 4, 8192), 16);
        int embedding = Math.min(ctx.intParam("hidden_size", 32, 8, 4096), 64);
        int layers = Math.min(ctx.intParam("num_layers", 1, 1, 96), 2);
        long seed = ctx.intParam("random_state", 42, 0, Integer.MAX_VALUE);
        String text = TextData.corpus(data, 100_000);
        String alphabet = TextIds.alphabet(text, 127);
        if (alphabet.length() < 2 || text.length() < length + 8) {
            throw new JobInputException("the text data is too short to train a generator");
        }
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        int windows = Math.min(4000, text.length() - length);
        int stride = Math.max(1, (text.length() - length) / windows);
        for (int i = 0; i + length < text.length() && xs.size() < windows; i += stride) {
            long[] ids = TextIds.charIds(text.substring(i, i + length), alphabet, length);
            float[] x = new float[length];
            for (int k = 0; k < length; k++) {
                x[k] = ids[k];
            }
            xs.add(x);
            ys.add(alphabet.indexOf(text.charAt(i + length)));
        }
        List<String> labels = alphabet.chars().mapToObj(c -> String.valueOf((char) c)).toList();
        TabularData d = TabularData.split(List.of("text"), labels, xs, ys, 0.1, seed);
        ModelSpec spec = new ModelSpec(modelId, modelType, "chars",
                new Architecture.CharTransformer(layers, embedding, 2, length, alphabet.length()).id(), "djl", Djl.ENGINE, null, labels, null, null, null,
                null, alphabet.length() + 1, length, embedding, layers, 2, alphabet,
                Map.of("params", "model-0000.params"));
        ctx.log("INFO", "training " + spec.architecture() + " on " + d.trainX.length + " windows of "
                + text.length() + " characters");
        Map<String, Object> extra = new LinkedHashMap<>();
        TrainingOutput out = run(spec, modelDir, ctx, epochs, batch, lr, m -> new NDArray[]{
                m.create(toLong(d.trainX)), m.create(toFloat(d.trainY)),
                m.create(toLong(d.testX)), m.create(toFloat(d.testY))}, List.of((long) length), "int64",
                model -> extra.put("sample", Predictions.generate(model, spec, text.substring(0, Math.min(length, text.length())),
                        40, 0.0, new Random(seed))));
        out.extra().putAll(extra);
        return out;
    }

    interface DataMaker {
        NDArray[] make(NDManager manager);
    }

    interface AfterTraining {
        void accept(Model model);
    }

    private static TrainingOutput run(ModelSpec spec, Path modelDir, RunContext ctx, int epochs, int batch, float lr,
                                      DataMaker data, List<Long> inputShape, String inputType, AfterTraining after) {
        Djl.configure();
        try (Model model = Model.newInstance(spec.modelId())) {
            Block block = spec.newBlock();
            model.setBlock(block);
            NDArray[] arrays = data.make(model.getNDManager());
            Map<String, Object> metrics = NeuralTrainer.train(model, arrays[0], arrays[1], arrays[2], arrays[3],
                    epochs, batch, lr, ctx);
            Files.createDirectories(modelDir);
            model.setProperty("architecture", spec.architecture());
            model.save(modelDir, "model");
            after.accept(model);
            ModelFiles.writeSpec(modelDir, spec);
            String main = "onnx".equals(spec.format()) ? "model.onnx" : "model-0000.params";
            return new TrainingOutput(spec, metrics, spec.format(), main, inputShape, inputType, new LinkedHashMap<>());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model", e);
        }
    }

    static List<Integer> hidden(RunContext ctx) {
        Object v = ctx.parameters().get("hidden_layers");
        if (v == null) {
            int units = ctx.intParam("hidden_size", 64, 1, 4096);
            return List.of(units, Math.max(1, units / 2));
        }
        if (!(v instanceof List<?> list) || list.isEmpty() || list.size() > 8) {
            throw new JobInputException("hidden_layers must be a list of 1 to 8 layer sizes");
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Number n) || n.intValue() < 1 || n.intValue() > 4096) {
                throw new JobInputException("hidden_layers entries must be whole numbers between 1 and 4096");
            }
            out.add(n.intValue());
        }
        return out;
    }

    static float[][] standardize(float[][] x, float[][] ms) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new float[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = (x[i][j] - ms[0][j]) / ms[1][j];
            }
        }
        return out;
    }

    static float[] toFloat(int[] y) {
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            f[i] = y[i];
        }
        return f;
    }

    static long[][] toLong(float[][] x) {
        long[][] out = new long[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new long[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = (long) x[i][j];
            }
        }
        return out;
    }

    static float[] flat(float[][] x) {
        int w = x.length == 0 ? 0 : x[0].length;
        float[] out = new float[x.length * w];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * w, w);
        }
        return out;
    }
}
