package rnn.engine.loss;

import java.util.Locale;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.InvalidConfigException;

/**
 * Training losses over the decoder's logits with integer targets (one-hot targets are never
 * built). Each returns the SUM of the per-row losses and, when asked, the gradient of
 * {@code scale * sum} with respect to the logits.
 */
public enum Loss {
    /** -log softmax(z)[y], from the logits with the log-sum-exp shift (Keras' categorical_crossentropy). */
    CROSS_ENTROPY("crossentropy") {
        @Override
        public double apply(INDArray logits, int[] targets, INDArray work, double gradientScale) {
            Softmax.Result s = gradientScale != 0
                    ? Softmax.crossEntropyGradient(logits, targets, work, gradientScale)
                    : Softmax.into(logits, targets, work);
            double sum = 0;
            for (double logP : s.targetLogProbabilities()) {
                sum -= logP;
            }
            return sum;
        }
    },
    /** mean over the vocabulary of (softmax(z) - onehot(y))^2 (Keras' mean_squared_error on a softmax output). */
    MEAN_SQUARED_ERROR("mse") {
        @Override
        public double apply(INDArray logits, int[] targets, INDArray work, double gradientScale) {
            Softmax.Result s = Softmax.into(logits, targets, work);
            double vocab = logits.size(1);
            INDArray squares = work.mul(work).sum(1);
            double[] targetP = s.targetProbabilities();
            double sum = 0;
            for (int m = 0; m < targetP.length; m++) {
                sum += (squares.getDouble(m) - 2 * targetP[m] + 1) / vocab;
            }
            if (gradientScale != 0) {
                // dL/dp = 2(p - y)/V; through softmax: dz = p * (dL/dp - sum_j p_j dL/dp_j).
                INDArray probabilities = work.dup();
                Softmax.subtractOneHot(work, targets);
                for (int m = 0; m < targetP.length; m++) {
                    squares.putScalar(m, squares.getDouble(m) - targetP[m]);
                }
                work.subiColumnVector(squares).muli(probabilities).muli(2 * gradientScale / vocab);
            }
            return sum;
        }
    },
    /**
     * KL(onehot(y) || softmax(z)) = -log p_y, computed as Keras does from the softmax output clipped
     * to [1e-7, 1]; for one-hot targets it equals cross-entropy wherever p_y > 1e-7.
     */
    KL_DIVERGENCE("kld") {
        @Override
        public double apply(INDArray logits, int[] targets, INDArray work, double gradientScale) {
            Softmax.Result s = Softmax.into(logits, targets, work);
            double[] targetP = s.targetProbabilities();
            double sum = 0;
            for (double p : targetP) {
                sum -= Math.log(Math.max(p, EPSILON));
            }
            if (gradientScale != 0) {
                Softmax.subtractOneHot(work, targets);
                for (int m = 0; m < targetP.length; m++) {
                    if (targetP[m] <= EPSILON) {
                        work.getRow(m).assign(0); // clipped: no gradient, as in Keras
                    }
                }
                work.muli(gradientScale);
            }
            return sum;
        }
    };

    static final double EPSILON = 1e-7;

    private final String cliName;

    Loss(String cliName) {
        this.cliName = cliName;
    }

    /**
     * Sum of the per-row losses of logits [M, V] against targets[0..M). {@code work} [M, V] is
     * overwritten: with {@code gradientScale * d(sum)/d(logits)} when the scale is non-zero.
     */
    public abstract double apply(INDArray logits, int[] targets, INDArray work, double gradientScale);

    public String cliName() {
        return cliName;
    }

    public static Loss parse(String name) {
        for (Loss loss : values()) {
            if (loss.cliName.equals(name.toLowerCase(Locale.ROOT)) || loss.name().equalsIgnoreCase(name)) {
                return loss;
            }
        }
        throw new InvalidConfigException("--loss must be crossentropy, mse or kld, got '" + name + "'");
    }
}
