package rnn.engine.loss;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.kernel.Activations;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.kernel.HostCopy;

/**
 * Row-wise softmax of logits with the max shift, and the log-probabilities of given targets. One
 * Java pass per row (read, max, exp, sum, scale, write) with the vectorized exp of
 * {@link Activations}: ND4J needed six whole-matrix ops for the same, each a pass over memory.
 * Rows are split over {@link EngineThreads#configured} threads.
 */
public final class Softmax {
    /** ln sum exp(values), shifted by the largest so that no exp overflows. */
    public static double logSumExp(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : values) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    /** Rows per part boundary and per partial column sum. */
    private static final int ROW_BLOCK = 32;

    private Softmax() {
    }

    /** Log-probabilities (natural log) of each row's target, and the targets' probabilities. */
    public record Result(double[] targetLogProbabilities) {
        public double[] targetProbabilities() {
            double[] p = new double[targetLogProbabilities.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = Math.exp(targetLogProbabilities[i]);
            }
            return p;
        }
    }

    /**
     * Writes softmax(logits) into {@code work} (same shape, not a view) and returns the target
     * log-probabilities, computed as (z_y - max) - log(sum exp(z - max)) so none underflows to -inf.
     */
    public static Result into(INDArray logits, int[] targets, INDArray work) {
        return rowwise(logits, null, targets, work, 1.0, false, null);
    }

    /**
     * The target log-probabilities alone of logits lacking a bias row (added as each row is read),
     * with nothing written: scoring needs no probabilities.
     */
    public static Result logProbabilities(INDArray logits, INDArray bias, int[] targets) {
        return rowwise(logits, values(bias), targets, null, 1.0, false, null);
    }

    private static double[] values(INDArray vector) {
        double[] values = new double[(int) vector.length()];
        new HostCopy().read(vector.reshape(1, values.length), values, 0);
        return values;
    }

    /**
     * Writes scale * (softmax(logits) - onehot(targets)) into {@code work}: the cross-entropy
     * gradient, without building the one-hot. Returns the target log-probabilities.
     */
    static Result crossEntropyGradient(INDArray logits, int[] targets, INDArray work, double scale) {
        return rowwise(logits, null, targets, work, scale, true, null);
    }

    /**
     * The same for logits that still lack a bias row (added as each row is read), also writing the
     * gradient's column sums (the bias's gradient) into {@code biasGradient}; returns the summed
     * cross-entropy. This is the training path: the bias add and its gradient cost no extra pass.
     */
    public static double crossEntropyGradient(INDArray logits, INDArray bias, int[] targets, INDArray work,
                                              double scale, INDArray biasGradient) {
        int vocab = (int) logits.size(1);
        double[] biasValues = values(bias);
        // One partial sum per block of ROW_BLOCK rows, merged in row order: the same additions in
        // the same order for any thread count or timing, so the bias gradient is bit-reproducible.
        Map<Integer, double[]> columnSums = new ConcurrentSkipListMap<>();
        double[] logP = rowwise(logits, biasValues, targets, work, scale, true, columnSums).targetLogProbabilities();
        double[] total = new double[vocab];
        for (double[] part : columnSums.values()) {
            for (int j = 0; j < vocab; j++) {
                total[j] += part[j];
            }
        }
        new HostCopy().write(total, 0, biasGradient.reshape(1, vocab));
        double sum = 0;
        for (double p : logP) {
            sum -= p;
        }
        return sum;
    }

    /**
     * The row loop: bias (may be null) added on read; with {@code columnSums} non-null, each block
     * of {@link #ROW_BLOCK} rows puts a double[V] of its written rows' column sums there, under its
     * first row. Float logits stay float throughout ({@link Activations#expf}, 16 lanes): widening
     * to double costs more than the exp itself. Double logits (gradient checks) use the double exp.
     */
    private static Result rowwise(INDArray logits, double[] bias, int[] targets, INDArray work, double scale,
                                  boolean minusTarget, Map<Integer, double[]> columnSums) {
        int rows = (int) logits.size(0);
        double[] logP = new double[rows];
        if (logits.dataType() == DataType.FLOAT) {
            float[] floatBias = bias == null ? null : toFloats(bias);
            EngineThreads.forRanges(rows, ROW_BLOCK, (from, to) ->
                    floatRows(logits, floatBias, targets, work, scale, minusTarget, columnSums, logP, from, to));
        } else {
            EngineThreads.forRanges(rows, ROW_BLOCK, (from, to) ->
                    doubleRows(logits, bias, targets, work, scale, minusTarget, columnSums, logP, from, to));
        }
        return new Result(logP);
    }

    private static void floatRows(INDArray logits, float[] bias, int[] targets, INDArray work, double scale,
                                  boolean minusTarget, Map<Integer, double[]> columnSums, double[] logP,
                                  int from, int to) {
        int vocab = (int) logits.size(1);
        FloatBuffer in = HostCopy.floats(logits);
        FloatBuffer out = work == null ? null : HostCopy.floats(work);
        float[] row = new float[vocab];
        Halving halving = new Halving(vocab);
        float[] sums = columnSums == null ? null : new float[vocab];
        for (int m = from; m < to; m++) {
            int at = Math.multiplyExact(m, vocab);
            in.get(at, row, 0, vocab);
            if (bias != null) {
                addInto(row, bias);
            }
            float max = halving.max(row);
            float shiftedTarget = row[targets[m]] - max;
            expShifted(row, max);
            double sum = halving.sum(row);
            logP[m] = shiftedTarget - Math.log(sum);
            if (work == null) {
                continue;
            }
            scale(row, (float) (scale / sum));
            if (minusTarget) {
                row[targets[m]] -= (float) scale;
            }
            if (sums != null) {
                // Float sums over at most ROW_BLOCK rows, merged in double by the caller.
                addInto(sums, row);
                if ((m + 1) % ROW_BLOCK == 0 || m + 1 == to) {
                    double[] block = new double[vocab];
                    for (int j = 0; j < vocab; j++) {
                        block[j] = sums[j];
                    }
                    columnSums.put(m - m % ROW_BLOCK, block);
                    Arrays.fill(sums, 0f);
                }
            }
            out.put(at, row, 0, vocab);
        }
    }

    // Float row kernels, each a small method C2 compiles once on its own (see HostCopy).

    /**
     * Max and sum of a float row by repeated halving, a[i] op a[i + h]: C2 vectorizes neither a
     * running max nor a running sum, but does vectorize element-wise ops on the same index, so
     * the upper half is first copied aside. Three times faster than one scalar pass, and the
     * pairwise sum is the more accurate one (relative error about log2(n) float ulps at worst).
     */
    private static final class Halving {
        private final float[] low;
        private final float[] high;

        Halving(int n) {
            low = new float[(n + 1) / 2];
            high = new float[(n + 1) / 2];
        }

        float max(float[] a) {
            int n = a.length;
            float rest = (n & 1) != 0 ? a[n - 1] : Float.NEGATIVE_INFINITY;
            int h = n / 2;
            System.arraycopy(a, h, high, 0, h);
            maxInto(low, a, high, h);
            while (h > 32) {
                if ((h & 1) != 0) {
                    rest = Math.max(rest, low[h - 1]);
                }
                h /= 2;
                System.arraycopy(low, h, high, 0, h);
                maxInto(low, low, high, h);
            }
            for (int i = 0; i < h; i++) {
                rest = Math.max(rest, low[i]);
            }
            return rest;
        }

        double sum(float[] a) {
            int n = a.length;
            double rest = (n & 1) != 0 ? a[n - 1] : 0;
            int h = n / 2;
            System.arraycopy(a, h, high, 0, h);
            addInto(low, a, high, h);
            while (h > 32) {
                if ((h & 1) != 0) {
                    rest += low[h - 1];
                }
                h /= 2;
                System.arraycopy(low, h, high, 0, h);
                addInto(low, low, high, h);
            }
            for (int i = 0; i < h; i++) {
                rest += low[i];
            }
            return rest;
        }

        private static void maxInto(float[] out, float[] a, float[] b, int n) {
            for (int i = 0; i < n; i++) {
                out[i] = Math.max(a[i], b[i]);
            }
        }

        private static void addInto(float[] out, float[] a, float[] b, int n) {
            for (int i = 0; i < n; i++) {
                out[i] = a[i] + b[i];
            }
        }
    }

    private static void addInto(float[] a, float[] b) {
        for (int j = 0; j < a.length; j++) {
            a[j] += b[j];
        }
    }

    /**
     * sum_j exp(z_j - max) of rows of float logits, each term as the loss computes it (the 16-lane
     * exp, terms below e^-30 of the largest rounded up to it, a pairwise sum): the normaliser of a
     * next-token ranking without a pass in double. Reusable for rows of one length; not thread-safe.
     */
    public static final class ShiftedExpSum {
        private final float[] row;
        private final Halving halving;

        public ShiftedExpSum(int vocab) {
            row = new float[vocab];
            halving = new Halving(vocab);
        }

        /** The sum over logits[from .. from + vocab), whose largest value is {@code max}. */
        public double of(float[] logits, int from, float max) {
            System.arraycopy(logits, from, row, 0, row.length);
            expShifted(row, max);
            return halving.sum(row);
        }
    }

    /** a[j] = exp(a[j] - max), terms below e^-30 of the largest rounded up to it. */
    private static void expShifted(float[] a, float max) {
        for (int j = 0; j < a.length; j++) {
            a[j] = Activations.expf(Math.max(-Activations.FLOAT_FLOOR, a[j] - max));
        }
    }

    private static void scale(float[] a, float factor) {
        for (int j = 0; j < a.length; j++) {
            a[j] *= factor;
        }
    }

    private static void doubleRows(INDArray logits, double[] bias, int[] targets, INDArray work, double scale,
                                   boolean minusTarget, Map<Integer, double[]> columnSums, double[] logP,
                                   int from, int to) {
        int vocab = (int) logits.size(1);
        HostCopy host = new HostCopy();
        double[] row = new double[vocab];
        double[] sums = null;
        for (int m = from; m < to; m++) {
            if (columnSums != null && m % ROW_BLOCK == 0) {
                sums = new double[vocab];
                columnSums.put(m, sums);
            }
            long at = (long) m * vocab;
            host.readRange(logits, at, vocab, row, 0);
            if (bias != null) {
                for (int j = 0; j < vocab; j++) {
                    row[j] += bias[j];
                }
            }
            double max = max(row);
            double shiftedTarget = row[targets[m]] - max;
            for (int j = 0; j < vocab; j++) {
                row[j] = Activations.exp(Math.max(-Activations.CLAMP, row[j] - max));
            }
            double sum = sum(row);
            logP[m] = shiftedTarget - Math.log(sum);
            if (work == null) {
                continue;
            }
            double inverse = scale / sum;
            for (int j = 0; j < vocab; j++) {
                row[j] *= inverse;
            }
            if (minusTarget) {
                row[targets[m]] -= scale;
            }
            if (sums != null) {
                for (int j = 0; j < vocab; j++) {
                    sums[j] += row[j];
                }
            }
            host.writeRange(row, 0, vocab, work, at);
        }
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    /** work[m, targets[m]] -= 1 for every row: softmax minus one-hot, without building the one-hot. */
    static void subtractOneHot(INDArray work, int[] targets) {
        long vocab = work.size(1);
        DataBuffer data = work.data();
        for (int m = 0; m < targets.length && m < work.size(0); m++) {
            long at = m * vocab + targets[m];
            data.put(at, data.getDouble(at) - 1);
        }
    }

    /** A plain compare per element: the max rarely changes, so the branch predicts well (2x Math.max). */
    private static double max(double[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : a) {
            if (v > max) {
                max = v;
            }
        }
        return max;
    }

    /** Four partial sums: breaks the add dependency chain C2 will not reorder. */
    private static double sum(double[] a) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = a.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
