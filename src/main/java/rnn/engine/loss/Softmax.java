package rnn.engine.loss;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.Activations;
import rnn.engine.EngineThreads;
import rnn.engine.HostCopy;

/**
 * Row-wise softmax of logits with the max shift, and the log-probabilities of given targets. One
 * Java pass per row (read, max, exp, sum, scale, write) with the vectorized exp of
 * {@link Activations}: ND4J needed six whole-matrix ops for the same, each a pass over memory.
 * Rows are split over {@link EngineThreads#configured} threads.
 */
public final class Softmax {
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
     * first row.
     */
    private static Result rowwise(INDArray logits, double[] bias, int[] targets, INDArray work, double scale,
                                  boolean minusTarget, Map<Integer, double[]> columnSums) {
        int rows = (int) logits.size(0);
        int vocab = (int) logits.size(1);
        double[] logP = new double[rows];
        EngineThreads.forRanges(rows, ROW_BLOCK, (from, to) -> {
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
        });
        return new Result(logP);
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
