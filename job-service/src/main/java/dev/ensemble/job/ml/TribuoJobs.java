package dev.ensemble.job.ml;

import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.dtree.impurity.GiniIndex;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.libsvm.LibSVMClassificationTrainer;
import org.tribuo.classification.libsvm.SVMClassificationType;
import org.tribuo.common.libsvm.KernelType;
import org.tribuo.common.libsvm.SVMParameters;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classical models on Tribuo 4.3: random forest (bagged CART trees), SVM (LibSVM, RBF kernel) and
 * logistic regression (LibLinear), the last two with feature standardization inside the model. Saved
 * as Tribuo's protobuf model file ({@code model.tribuo}) and, where Tribuo can, as ONNX.
 */
public final class TribuoJobs {

    public static final String ENGINE = "tribuo-4.3.2";

    private TribuoJobs() {
    }

    public static TrainingOutput train(String modelId, String modelType, Path data, Path modelDir, RunContext ctx) {
        long seed = ctx.intParam("random_state", 42, 0, Integer.MAX_VALUE);
        TabularData d = TabularData.load(data, ctx.stringParam("label_column", null),
                ctx.doubleParam("test_size", 0.2, 0.05, 0.5), seed, NeuralJobs.MAX_ROWS);
        LabelFactory factory = new LabelFactory();
        String[] names = d.featureNames.toArray(String[]::new);
        MutableDataset<Label> train = dataset(d.trainX, d.trainY, d, names, factory, "train");
        MutableDataset<Label> test = dataset(d.testX, d.testY, d, names, factory, "test");
        Trainer<Label> trainer = trainer(modelType, d.featureNames.size(), seed, ctx);
        ctx.log("INFO", "training " + modelType + " (" + ENGINE + ") on " + d.trainX.length + " rows, holding out "
                + d.testX.length);
        ctx.checkStopped();
        long started = System.nanoTime();
        Model<Label> model = trainer.train(train);
        double seconds = (System.nanoTime() - started) / 1e9;
        ctx.checkStopped();
        LabelEvaluation eval = new LabelEvaluator().evaluate(model, test);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", NeuralTrainer.round(eval.accuracy()));
        metrics.put("macro_f1", NeuralTrainer.round(eval.macroAveragedF1()));
        metrics.put("train_rows", d.trainX.length);
        metrics.put("test_rows", d.testX.length);
        metrics.put("training_time", NeuralTrainer.round(seconds));
        Map<String, String> files = new LinkedHashMap<>();
        files.put("tribuo", "model.tribuo");
        try {
            Files.createDirectories(modelDir);
            model.serializeToFile(modelDir.resolve("model.tribuo"));
            if (model instanceof ONNXExportable onnx) {
                try {
                    onnx.saveONNXModel("dev.ensemble", 1, modelDir.resolve("model.onnx"));
                    files.put("onnx", "model.onnx");
                } catch (RuntimeException e) {
                    ctx.log("WARN", "ONNX export failed: " + e.getMessage());
                }
            } else {
                ctx.log("INFO", "no ONNX export: Tribuo cannot export " + model.getClass().getSimpleName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model", e);
        }
        ModelSpec spec = new ModelSpec(modelId, modelType, "tabular", model.getClass().getSimpleName(), "classical",
                ENGINE, d.featureNames, d.classes, null, null, null, null, null, null, null, null, null, null, files);
        ModelFiles.writeSpec(modelDir, spec);
        ctx.log("INFO", String.format("accuracy=%.4f macro_f1=%.4f", eval.accuracy(), eval.macroAveragedF1()));
        ctx.progress(1, 1, Map.copyOf(metrics));
        return new TrainingOutput(spec, metrics, "classical", "model.tribuo", List.of((long) names.length),
                "float32", new HashMap<>());
    }

    static Trainer<Label> trainer(String modelType, int features, long seed, RunContext ctx) {
        return switch (modelType) {
            case "random_forest" -> {
                int trees = ctx.intParam("n_estimators", 100, 1, 1000);
                int depth = ctx.intParam("max_depth", 10, 1, 64);
                int minSplit = ctx.intParam("min_samples_split", 2, 2, 100_000);
                float fraction = (float) Math.min(0.99, Math.max(1.0 / features, Math.sqrt(features) / features));
                CARTClassificationTrainer cart = new CARTClassificationTrainer(depth, Math.max(1f, minSplit / 2f),
                        0f, fraction, false, new GiniIndex(), seed);
                yield new RandomForestTrainer<>(cart, new VotingCombiner(), trees, seed);
            }
            case "svm" -> {
                SVMParameters<Label> params = new SVMParameters<>(
                        new SVMClassificationType(SVMClassificationType.SVMMode.C_SVC), KernelType.RBF);
                params.setCost(ctx.doubleParam("C", 1.0, 1e-6, 1e6));
                params.setGamma(ctx.doubleParam("gamma", 1.0 / features, 1e-9, 1e6));
                params.setProbability();
                yield standardized(new LibSVMClassificationTrainer(params, seed));
            }
            // Unscaled, so that Tribuo can export it to ONNX (it cannot export a TransformedModel).
            case "logistic_regression" -> new LibLinearClassificationTrainer(
                    new LinearClassificationType(LinearClassificationType.LinearType.L2R_LR),
                    ctx.doubleParam("C", 1.0, 1e-6, 1e6), ctx.intParam("max_iter", 1000, 1, 100_000), 0.01, seed);
            default -> throw new JobInputException("no classical trainer for " + modelType);
        };
    }

    private static Trainer<Label> standardized(Trainer<Label> inner) {
        return new TransformTrainer<>(inner, new TransformationMap(List.of(new MeanStdDevTransformation())), true);
    }

    private static MutableDataset<Label> dataset(float[][] x, int[] y, TabularData d, String[] names,
                                                 LabelFactory factory, String part) {
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("csv " + part, factory), factory);
        for (int i = 0; i < x.length; i++) {
            ds.add(new ArrayExample<>(new Label(d.classes.get(y[i])), names, toDouble(x[i])));
        }
        return ds;
    }

    static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    /** For callers that only need the type. */
    static Class<?> datasetType() {
        return Dataset.class;
    }
}
