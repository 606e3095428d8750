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
 * word_language_model), or Glorot-uniform matrices with zero biases (Keras). Values come from one
 * seeded Java generator in parameter order, so a seed gives bit-identical weights anywhere.
 *
 * @param forgetBias added to the LSTM forget-gate input bias after initialisation (0 = none)
 */
public record Initialization(Kind kind, double scale, double forgetBias) {
    public enum Kind { UNIFORM, GLOROT }

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

    public Initialization withForgetBias(double bias) {
        return new Initialization(kind, scale, bias);
    }

    INDArray create(String name, long[] shape, SplittableRandom random, DataType dtype) {
        int n = Math.toIntExact(shape.length == 1 ? shape[0] : Math.multiplyExact(shape[0], shape[1]));
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

    private static double draw(double limit, SplittableRandom random) {
        return limit == 0 ? 0 : (2 * random.nextDouble() - 1) * limit;
    }
}
