package dev.ensemble.job.ml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A numeric CSV with one label column: features as floats, labels as class indices, split into a
 * training part and a held-out part. The label column is {@code label_column}, else {@code label},
 * else the last column.
 */
public final class TabularData {

    public final List<String> featureNames;
    public final List<String> classes;
    public final float[][] trainX;
    public final int[] trainY;
    public final float[][] testX;
    public final int[] testY;

    private TabularData(List<String> featureNames, List<String> classes, float[][] trainX, int[] trainY,
                        float[][] testX, int[] testY) {
        this.featureNames = featureNames;
        this.classes = classes;
        this.trainX = trainX;
        this.trainY = trainY;
        this.testX = testX;
        this.testY = testY;
    }

    public static String labelColumn(Csv.Table table, String requested) {
        if (requested != null) {
            if (table.column(requested) < 0) {
                throw new JobInputException("label_column '" + requested + "' is not a column of the CSV");
            }
            return requested;
        }
        return table.column("label") >= 0 ? "label" : table.header().get(table.header().size() - 1);
    }

    public static TabularData load(Path file, String labelColumn, double testFraction, long seed, int maxRows) {
        Csv.Table table = Csv.read(file, maxRows);
        if (table.header().size() < 2) {
            throw new JobInputException("the CSV needs at least one feature column and a label column");
        }
        String label = labelColumn(table, labelColumn);
        int labelIdx = table.column(label);
        List<String> features = new ArrayList<>();
        for (int i = 0; i < table.header().size(); i++) {
            if (i != labelIdx) {
                features.add(table.header().get(i));
            }
        }
        Map<String, Integer> classIds = new LinkedHashMap<>();
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        int rowNo = 1;
        for (String[] row : table.rows()) {
            rowNo++;
            float[] x = new float[features.size()];
            int j = 0;
            for (int i = 0; i < row.length; i++) {
                if (i == labelIdx) {
                    continue;
                }
                x[j++] = parseFloat(row[i], table.header().get(i), rowNo);
            }
            String y = row[labelIdx].trim();
            if (y.isEmpty()) {
                throw new JobInputException("row " + rowNo + " has an empty label");
            }
            ys.add(classIds.computeIfAbsent(y, k -> classIds.size()));
            xs.add(x);
        }
        if (classIds.size() < 2) {
            throw new JobInputException("the label column '" + label + "' needs at least two classes");
        }
        return split(features, new ArrayList<>(classIds.keySet()), xs, ys, testFraction, seed);
    }

    static float parseFloat(String s, String column, int row) {
        try {
            float f = Float.parseFloat(s.trim());
            if (!Float.isFinite(f)) {
                throw new NumberFormatException();
            }
            return f;
        } catch (NumberFormatException e) {
            throw new JobInputException("column '" + column + "' row " + row + " is not a number: '"
                    + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'");
        }
    }

    /** Shuffles with {@code seed} and holds out {@code testFraction} (at least one row) for evaluation. */
    public static TabularData split(List<String> features, List<String> classes, List<float[]> xs, List<Integer> ys,
                                    double testFraction, long seed) {
        int n = xs.size();
        if (n < 4) {
            throw new JobInputException("at least 4 rows are needed to train and evaluate, got " + n);
        }
        int[] order = shuffled(n, seed);
        int test = Math.max(1, (int) Math.round(n * testFraction));
        int train = n - test;
        float[][] trX = new float[train][];
        int[] trY = new int[train];
        float[][] teX = new float[test][];
        int[] teY = new int[test];
        for (int i = 0; i < n; i++) {
            int k = order[i];
            if (i < train) {
                trX[i] = xs.get(k);
                trY[i] = ys.get(k);
            } else {
                teX[i - train] = xs.get(k);
                teY[i - train] = ys.get(k);
            }
        }
        return new TabularData(features, classes, trX, trY, teX, teY);
    }

    static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Per-feature mean and standard deviation over the training part (std 1 where constant). */
    public float[][] standardization() {
        int f = featureNames.size();
        float[] mean = new float[f];
        float[] std = new float[f];
        for (float[] x : trainX) {
            for (int j = 0; j < f; j++) {
                mean[j] += x[j];
            }
        }
        for (int j = 0; j < f; j++) {
            mean[j] /= trainX.length;
        }
        for (float[] x : trainX) {
            for (int j = 0; j < f; j++) {
                std[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
            }
        }
        for (int j = 0; j < f; j++) {
            std[j] = (float) Math.sqrt(std[j] / trainX.length);
            if (std[j] < 1e-6f) {
                std[j] = 1f;
            }
        }
        return new float[][]{mean, std};
    }
}
