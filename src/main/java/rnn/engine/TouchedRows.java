package rnn.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows of a row-sparse gradient that may be non-zero; every other row is exactly zero. An
 * embedding's gradient is the sum of scatter-added rows for the batch's input words, a few hundred
 * rows of a table that can have 250,000: zeroing it, taking its norm and applying plain SGD row by
 * row over these rows only saves three passes over the whole table per step.
 *
 * <p>Rows are kept sorted and unique, so every pass over them runs in one fixed order (the same
 * sums, bit for bit, at any thread count). Not thread-safe.
 */
public final class TouchedRows {
    private final int height;
    private int[] rows = new int[0];
    private int count;

    TouchedRows(int height) {
        this.height = height;
    }

    /** Adds the ids {@code ids[0 .. n)} (repeats allowed) to the rows that may be non-zero. */
    void record(int[] ids, int n) {
        int[] merged = Arrays.copyOf(rows, count + n);
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= height) {
                throw new IndexOutOfBoundsException("row " + ids[i] + " outside [0, " + height + ")");
            }
            merged[count + i] = ids[i];
        }
        Arrays.sort(merged);
        int unique = 0;
        for (int i = 0; i < merged.length; i++) {
            if (unique == 0 || merged[i] != merged[unique - 1]) {
                merged[unique++] = merged[i];
            }
        }
        rows = merged;
        count = unique;
    }

    /** Sets the recorded rows of {@code gradient} to zero, which makes it all zero, and forgets them. */
    void zero(INDArray gradient) {
        int width = width(gradient);
        if (gradient.dataType() == DataType.FLOAT) {
            FloatBuffer g = gradient.data().asNioFloat();
            float[] zeros = new float[width];
            for (int i = 0; i < count; i++) {
                g.put(rows[i] * width, zeros);
            }
        } else {
            DoubleBuffer g = gradient.data().asNioDouble();
            double[] zeros = new double[width];
            for (int i = 0; i < count; i++) {
                g.put(rows[i] * width, zeros);
            }
        }
        count = 0;
    }

    /** The number of rows that may be non-zero. */
    public int count() {
        return count;
    }

    /** The recorded rows, sorted, as a copy. */
    public int[] rows() {
        return Arrays.copyOf(rows, count);
    }

    /** The sum of squares of {@code gradient}'s entries, read from the recorded rows only, in double. */
    public double sumOfSquares(INDArray gradient) {
        int width = width(gradient);
        double sum = 0;
        if (gradient.dataType() == DataType.FLOAT) {
            FloatBuffer g = gradient.data().asNioFloat();
            float[] row = new float[width];
            for (int i = 0; i < count; i++) {
                g.get(rows[i] * width, row);
                for (float x : row) {
                    sum += (double) x * x;
                }
            }
        } else {
            DoubleBuffer g = gradient.data().asNioDouble();
            double[] row = new double[width];
            for (int i = 0; i < count; i++) {
                g.get(rows[i] * width, row);
                for (double x : row) {
                    sum += x * x;
                }
            }
        }
        return sum;
    }

    /**
     * {@code value += alpha * gradient} on the recorded rows, which is the whole update when
     * {@code gradient} is zero elsewhere (x + alpha * 0 is x).
     */
    public void addScaled(INDArray gradient, double alpha, INDArray value) {
        int width = width(gradient);
        if (width(value) != width || value.size(0) != height || value.dataType() != gradient.dataType()) {
            throw new IllegalArgumentException("value and gradient differ in shape or type");
        }
        if (gradient.dataType() == DataType.FLOAT) {
            float a = (float) alpha;
            FloatBuffer g = gradient.data().asNioFloat();
            FloatBuffer p = value.data().asNioFloat();
            float[] gRow = new float[width];
            float[] pRow = new float[width];
            for (int i = 0; i < count; i++) {
                int at = rows[i] * width;
                g.get(at, gRow);
                p.get(at, pRow);
                for (int j = 0; j < width; j++) {
                    pRow[j] += a * gRow[j];
                }
                p.put(at, pRow);
            }
        } else {
            DoubleBuffer g = gradient.data().asNioDouble();
            DoubleBuffer p = value.data().asNioDouble();
            double[] gRow = new double[width];
            double[] pRow = new double[width];
            for (int i = 0; i < count; i++) {
                int at = rows[i] * width;
                g.get(at, gRow);
                p.get(at, pRow);
                for (int j = 0; j < width; j++) {
                    pRow[j] += alpha * gRow[j];
                }
                p.put(at, pRow);
            }
        }
    }

    private int width(INDArray table) {
        if (table.isView() || table.ordering() != 'c' || table.rank() != 2 || table.size(0) != height) {
            throw new IllegalStateException("a row-sparse gradient needs a whole row-major [" + height + ", W] array");
        }
        return Math.toIntExact(table.size(1));
    }
}
