package rnn.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.InvalidConfigException;

/**
 * How parameters start: uniform(-scale, scale) on every tensor (Zaremba et al., PyTorch's
 * word_language_model), Glorot-uniform matrices with zero biases, or Keras' recurrent-layer
 * defaults (orthogonal): Glorot-uniform with zero biases, except the recurrent kernels, which are
 * orthogonal as Keras' Orthogonal initializer makes them over the whole [H, gates*H] kernel. Values
 * come from one seeded Java generator in parameter order, so a seed gives bit-identical weights
 * anywhere.
 *
 * @param forgetBias added to the LSTM forget-gate input bias after initialisation (0 = none)
 */
public record Initialization(Kind kind, double scale, double forgetBias) {
    public enum Kind { UNIFORM, GLOROT, ORTHOGONAL }

    public Initialization {
        if (kind == Kind.UNIFORM && !(scale > 0 && Double.isFinite(scale))) {
            throw new InvalidConfigException("--init-scale must be positive, got " + scale);
        }
        if (!Double.isFinite(forgetBias)) {
            throw new InvalidConfigException("--forget-bias must be finite, got " + forgetBias);
        }
    }

    public static Initialization uniform(double scale) {
        return new Initialization(Kind.UNIFORM, scale, 0);
    }

    public static Initialization glorot() {
        return new Initialization(Kind.GLOROT, 0, 0);
    }

    /** Keras' LSTM/GRU/SimpleRNN defaults: Glorot-uniform kernels, orthogonal recurrent kernels, zero biases. */
    public static Initialization orthogonal() {
        return new Initialization(Kind.ORTHOGONAL, 0, 0);
    }

    public Initialization withForgetBias(double bias) {
        return new Initialization(kind, scale, bias);
    }

    INDArray create(String name, long[] shape, SplittableRandom random, DataType dtype) {
        int n = Math.toIntExact(shape.length == 1 ? shape[0] : Math.multiplyExact(shape[0], shape[1]));
        if (kind == Kind.ORTHOGONAL && ParameterShapes.isRecurrentWeight(name)) {
            return orthogonal(shape, random, dtype);
        }
        double limit;
        if (kind == Kind.UNIFORM) {
            limit = scale;
        } else if (shape.length == 1) {
            limit = 0;
        } else {
            // PyTorch layout [out, in]: fan_out = shape[0], fan_in = shape[1].
            limit = Math.sqrt(6.0 / (shape[0] + shape[1]));
        }
        // Written straight into the native array a chunk at a time: a whole double[] first (then
        // a double array and its float cast) held 2.5x the tensor's own size at once, which at
        // 250,000 words x 200 was most of the run's peak memory. Each value is drawn in double and
        // rounded once to the tensor's type, as the cast did, so the weights are the same bits.
        INDArray values = Nd4j.create(dtype, shape);
        int chunk = Math.min(n, 1 << 16);
        if (dtype == DataType.DOUBLE) {
            DoubleBuffer out = values.data().asNioDouble();
            double[] part = new double[chunk];
            for (int from = 0; from < n; from += chunk) {
                int m = Math.min(chunk, n - from);
                for (int i = 0; i < m; i++) {
                    part[i] = draw(limit, random);
                }
                out.put(from, part, 0, m);
            }
        } else if (dtype == DataType.FLOAT) {
            FloatBuffer out = values.data().asNioFloat();
            float[] part = new float[chunk];
            for (int from = 0; from < n; from += chunk) {
                int m = Math.min(chunk, n - from);
                for (int i = 0; i < m; i++) {
                    part[i] = (float) draw(limit, random);
                }
                out.put(from, part, 0, m);
            }
        } else {
            throw new IllegalArgumentException("parameters are FLOAT or DOUBLE, not " + dtype);
        }
        return values;
    }

    /**
     * Keras' Orthogonal initializer (gain 1) for a [rows, cols] tensor: a standard normal matrix of
     * [max, min], its QR factor Q with R's diagonal made positive, transposed when rows < cols. Our
     * recurrent weight is PyTorch's [gates*H, H], the transpose of Keras' [H, gates*H] kernel, so
     * its columns come out orthonormal over all gates together (W^T W = I), as in Keras; no gate's
     * block is orthogonal on its own. Q is computed by modified Gram-Schmidt, run twice for
     * accuracy; it gives R a positive diagonal, which is the sign correction Keras applies.
     */
    private static INDArray orthogonal(long[] shape, SplittableRandom random, DataType dtype) {
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        int tall = Math.max(rows, cols);
        int narrow = Math.min(rows, cols);
        double[][] columns = new double[narrow][tall];
        for (int i = 0; i < tall; i++) { // row-major draws of the [tall, narrow] matrix, as Keras' a
            for (int j = 0; j < narrow; j++) {
                columns[j][i] = random.nextGaussian();
            }
        }
        for (int j = 0; j < narrow; j++) {
            double[] q = columns[j];
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double dot = dot(columns[k], q);
                    for (int i = 0; i < tall; i++) {
                        q[i] -= dot * columns[k][i];
                    }
                }
            }
            double norm = Math.sqrt(dot(q, q));
            for (int i = 0; i < tall; i++) {
                q[i] /= norm;
            }
        }
        double[] values = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                values[r * cols + c] = rows >= cols ? columns[c][r] : columns[r][c];
            }
        }
        return Nd4j.createFromArray(values).reshape(shape).castTo(dtype);
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double draw(double limit, SplittableRandom random) {
        return limit == 0 ? 0 : (2 * random.nextDouble() - 1) * limit;
    }
}
