package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

import rnn.InvalidConfigException;
import rnn.engine.TouchedRows;

/**
 * Stochastic gradient descent, optionally with momentum in PyTorch's form ({@code torch.optim.SGD}
 * without dampening or Nesterov), for gradient g, parameter p and learning rate lr:
 *
 * <pre>
 *   momentum 0:  p = p - lr * g
 *   momentum mu: v = mu * v + g        (v starts at 0, so the first v is g)
 *                p = p - lr * v
 * </pre>
 *
 * <p>State: {@code sgd.t} and, with momentum, {@code sgd.v.<parameter>}. One pass per parameter:
 * ND4J's axpy without momentum, a {@link ChunkedUpdate} with it.
 */
public final class Sgd extends StatefulOptimizer {
    private final double momentum;
    private final ChunkedUpdate chunks = new ChunkedUpdate();

    /** Plain SGD, without momentum. */
    public Sgd() {
        this(0);
    }

    /**
     * @param momentum mu, in [0, 1); 0 keeps no state buffers
     * @throws InvalidConfigException naming {@code --momentum} if it is out of range
     */
    public Sgd(double momentum) {
        super("sgd", checkMomentum(momentum) > 0 ? List.of("v") : List.of());
        this.momentum = momentum;
    }

    private static double checkMomentum(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidConfigException("--momentum must be in [0, 1), got " + momentum);
        }
        return momentum;
    }

    public double momentum() {
        return momentum;
    }

    @Override
    void update(INDArray value, INDArray gradient, INDArray[] buffers, double learningRate, long t,
                double gradientScale) {
        double lr = learningRate;
        double scale = gradientScale;
        double mu = momentum;
        float lrF = (float) lr;
        float scaleF = (float) scale;
        float muF = (float) mu;
        if (momentum == 0) {
            Nd4j.exec(new Axpy(gradient, value, value, -lr * scale)); // p = -lr * s * g + p: one native pass
            return;
        }
        chunks.run(new INDArray[] {value, buffers[0], gradient}, 2, new ChunkedUpdate.Kernel() {
            @Override
            public void apply(float[][] a, int n) {
                float[] p = a[0];
                float[] v = a[1];
                float[] g = a[2];
                for (int i = 0; i < n; i++) {
                    v[i] = muF * v[i] + scaleF * g[i];
                    p[i] -= lrF * v[i];
                }
            }

            @Override
            public void apply(double[][] a, int n) {
                double[] p = a[0];
                double[] v = a[1];
                double[] g = a[2];
                for (int i = 0; i < n; i++) {
                    v[i] = mu * v[i] + scale * g[i];
                    p[i] -= lr * v[i];
                }
            }
        });
    }

    /** Without momentum a zero gradient row leaves its parameter row as it is: only touched rows move. */
    @Override
    void updateRows(INDArray value, INDArray gradient, TouchedRows rows, INDArray[] buffers, double learningRate,
                    long t, double gradientScale) {
        if (momentum != 0) {
            super.updateRows(value, gradient, rows, buffers, learningRate, t, gradientScale);
            return;
        }
        rows.addScaled(gradient, -learningRate * gradientScale, value);
    }

    @Override
    public String toString() {
        return "sgd(momentum=" + momentum + ")";
    }
}
