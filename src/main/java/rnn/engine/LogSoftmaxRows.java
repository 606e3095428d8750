package rnn.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.kernel.Activations;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.kernel.ExpTerms;
import rnn.engine.kernel.Reductions;
import rnn.engine.loss.Softmax;

/**
 * Row-wise log-softmax and cross-entropy gradient, in place, over the first n rows of a row-major
 * matrix whose rows are contiguous (a whole array or a row block of one, at any offset): the
 * adaptive softmax's head and tail blocks, which are row blocks of reused buffers and so cannot go
 * through {@link rnn.engine.loss.Softmax} (whole arrays only). Float rows stay float, with
 * {@link Activations#expf} (terms below e^-30 of the largest rounded up to it, as the full
 * softmax does); double rows (gradient checks) use {@link Math#exp}. Rows are split over
 * {@link EngineThreads}; each row's result lands in its own slot, so sums are the same for any
 * thread count.
 */
final class LogSoftmaxRows {
    private static final int ROW_GRANULE = 16;

    private LogSoftmaxRows() {
    }

    /**
     * z := scale * (softmax(z) - onehot(targets)) row by row; returns the summed -log softmax(z)[target]
     * (targets[r] is a column of row r).
     */
    static double crossEntropyGradient(INDArray z, int n, int[] targets, double scale) {
        double[] logP = new double[n];
        run(z, n, targets, logP, scale, true);
        double sum = 0;
        for (double p : logP) {
            sum -= p;
        }
        return sum;
    }

    /** z := log softmax(z) row by row; with targets non-null, also targetLogP[r] = the target's value. */
    static void logSoftmax(INDArray z, int n, int[] targets, double[] targetLogP) {
        run(z, n, targets, targetLogP, 0, false);
    }

    private static void run(INDArray z, int n, int[] targets, double[] logP, double scale, boolean gradient) {
        int width = (int) z.size(1);
        if (n > 0 && ((z.size(0) > 1 && z.stride(0) != width) || (width > 1 && z.stride(1) != 1))) {
            throw new IllegalStateException("log-softmax rows need contiguous rows");
        }
        long base = z.offset();
        if (z.dataType() == DataType.FLOAT) {
            FloatBuffer data = z.data().asNioFloat();
            EngineThreads.forRanges(n, ROW_GRANULE, (from, to) -> {
                float[] row = new float[width];
                float[] exps = new float[width];
                for (int r = from; r < to; r++) {
                    int at = Math.toIntExact(base + (long) r * width);
                    data.get(at, row, 0, width);
                    float max = Reductions.max(row, width);
                    System.arraycopy(row, 0, exps, 0, width);
                    double sum = ExpTerms.expShifted(exps, 0, width, max);
                    if (gradient) {
                        if (targets != null) {
                            logP[r] = row[targets[r]] - max - Math.log(sum);
                        }
                        scaleInto(exps, (float) (scale / sum), row);
                        row[targets[r]] -= (float) scale;
                    } else {
                        float logSum = (float) (max + Math.log(sum));
                        if (targets != null) {
                            logP[r] = row[targets[r]] - max - Math.log(sum);
                        }
                        subtract(row, logSum);
                    }
                    data.put(at, row, 0, width);
                }
            });
            return;
        }
        DoubleBuffer data = z.data().asNioDouble();
        EngineThreads.forRanges(n, ROW_GRANULE, (from, to) -> {
            double[] row = new double[width];
            for (int r = from; r < to; r++) {
                int at = Math.toIntExact(base + (long) r * width);
                data.get(at, row, 0, width);
                double logSum = Softmax.logSumExp(row);
                if (targets != null) {
                    logP[r] = row[targets[r]] - logSum;
                }
                for (int j = 0; j < width; j++) {
                    row[j] = gradient ? scale * Math.exp(row[j] - logSum) : row[j] - logSum;
                }
                if (gradient) {
                    row[targets[r]] -= scale;
                }
                data.put(at, row, 0, width);
            }
        });
    }

    // Small element loops of their own, so that C2 compiles (and vectorizes) each once.

    private static void scaleInto(float[] a, float factor, float[] out) {
        for (int j = 0; j < a.length; j++) {
            out[j] = a[j] * factor;
        }
    }

    private static void subtract(float[] a, float value) {
        for (int j = 0; j < a.length; j++) {
            a[j] -= value;
        }
    }
}
