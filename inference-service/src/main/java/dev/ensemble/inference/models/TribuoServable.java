package dev.ensemble.inference.models;

import dev.ensemble.inference.serving.Servable;
import dev.ensemble.inference.serving.Tensor;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.Prediction;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A classical model serialized by Tribuo (random forest, tree, SVM, logistic regression). A row's
 * values map onto the model's features in natural name order ({@code f2} before {@code f10});
 * the answer is one score per class in label-id order (probabilities where the model makes them).
 * Classification models only.
 * Tribuo models are safe to share between threads, so runners are thin.
 */
final class TribuoServable implements Servable {

    private static final Pattern TRAILING_NUMBER = Pattern.compile("(.*?)(\\d+)");

    private final Model<?> model;
    private final String[] featureNames;
    private final List<String> labels;
    private final boolean classifier;

    private TribuoServable(Model<?> model) {
        this.model = model;
        ImmutableFeatureMap features = model.getFeatureIDMap();
        List<String> names = new ArrayList<>();
        for (VariableInfo info : features) {
            names.add(info.getName());
        }
        names.sort(NATURAL);
        this.featureNames = names.toArray(String[]::new);
        ImmutableOutputInfo<?> outputs = model.getOutputIDInfo();
        Output<?> sample = outputs.getDomain().isEmpty() ? null : outputs.getDomain().iterator().next();
        this.classifier = sample instanceof Label;
        if (!classifier) {
            throw new IllegalArgumentException("only Tribuo classification models are served");
        }
        List<String> l = new ArrayList<>();
        for (int id = 0; id < outputs.size(); id++) {
            l.add(((Label) outputs.getOutput(id)).getLabel());
        }
        this.labels = List.copyOf(l);
    }

    static TribuoServable load(Path file) throws Exception {
        return new TribuoServable(Model.deserializeFromFile(file));
    }

    long[] inputRowShape() {
        return new long[]{featureNames.length};
    }

    List<String> featureNames() {
        return List.of(featureNames);
    }

    /** Class names in answer order. */
    List<String> labels() {
        return labels;
    }

    boolean classifier() {
        return classifier;
    }

    @Override
    public String runtime() {
        return "tribuo";
    }

    @Override
    public Runner newRunner() {
        return new Runner() {
            @Override
            public Tensor run(Tensor batch) {
                return predict(batch);
            }

            @Override
            public void close() {
            }
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Tensor predict(Tensor batch) {
        int rows = batch.rows();
        int width = batch.rowSize();
        if (width != featureNames.length) {
            throw new IllegalArgumentException("expected " + featureNames.length + " features per row, got " + width);
        }
        Output unknown = org.tribuo.classification.LabelFactory.UNKNOWN_LABEL;
        List<Example> examples = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            double[] values = new double[width];
            for (int c = 0; c < width; c++) {
                values[c] = batch.data()[r * width + c];
            }
            examples.add(new ArrayExample(unknown, featureNames, values));
        }
        List<Prediction<?>> predictions = ((Model) model).predict(examples);
        int k = labels.size();
        float[] out = new float[rows * k];
        for (int r = 0; r < rows; r++) {
            Map<String, ? extends Output<?>> scores = predictions.get(r).getOutputScores();
            for (int i = 0; i < k; i++) {
                Label score = (Label) scores.get(labels.get(i));
                out[r * k + i] = score == null ? 0f : (float) score.getScore();
            }
        }
        return new Tensor(new long[]{rows, k}, out);
    }

    @Override
    public void close() {
        // heap only
    }

    /** Names compared with their trailing numbers as numbers: f2 before f10. */
    static final Comparator<String> NATURAL = (a, b) -> {
        Matcher ma = TRAILING_NUMBER.matcher(a);
        Matcher mb = TRAILING_NUMBER.matcher(b);
        if (ma.matches() && mb.matches() && ma.group(1).equals(mb.group(1)) && ma.group(2).length() < 19
                && mb.group(2).length() < 19) {
            return Long.compare(Long.parseLong(ma.group(2)), Long.parseLong(mb.group(2)));
        }
        return a.compareTo(b);
    };
}
