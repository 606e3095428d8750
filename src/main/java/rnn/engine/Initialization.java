package rnn.engine;

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
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = limit == 0 ? 0 : (2 * random.nextDouble() - 1) * limit;
        }
        return Nd4j.createFromArray(data).castTo(dtype).reshape(shape);
    }
}
