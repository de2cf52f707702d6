package dev.ensemble.inference.serving;

import java.util.Arrays;
import java.util.List;

/**
 * A dense float32 tensor whose first dimension is the row (batch) dimension: what the engine
 * batches, runs and splits. Rows of requests are concatenated into one tensor per batch.
 */
public record Tensor(long[] shape, float[] data) {

    public Tensor {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a tensor needs a row dimension");
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " values, not " + data.length);
        }
    }

    public int rows() {
        return (int) shape[0];
    }

    /** The shape of one row (the shape without its first dimension). */
    public long[] rowShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    public int rowSize() {
        return shape[0] == 0 ? 0 : data.length / (int) shape[0];
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) as a tensor of their own. */
    public Tensor slice(int from, int to) {
        int size = rowSize();
        long[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(s, Arrays.copyOfRange(data, from * size, to * size));
    }

    /** The rows of all tensors, in order, as one tensor; all must share one row shape. */
    public static Tensor concat(List<Tensor> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        long[] row = parts.get(0).rowShape();
        int rows = 0;
        int values = 0;
        for (Tensor t : parts) {
            if (!Arrays.equals(row, t.rowShape())) {
                throw new IllegalArgumentException("row shapes differ: " + Arrays.toString(row) + " and "
                        + Arrays.toString(t.rowShape()));
            }
            rows += t.rows();
            values += t.data.length;
        }
        float[] data = new float[values];
        int at = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data, 0, data, at, t.data.length);
            at += t.data.length;
        }
        long[] shape = new long[row.length + 1];
        shape[0] = rows;
        System.arraycopy(row, 0, shape, 1, row.length);
        return new Tensor(shape, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
