package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;

import rnn.InvalidConfigException;

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
 * <p>State: {@code sgd.t} and, with momentum, {@code sgd.v.<parameter>}. One ND4J op per parameter
 * without momentum, two with.
 */
public final class Sgd extends StatefulOptimizer {
    private final double momentum;

    /** Plain SGD, without momentum. */
    public Sgd() {
        this(0);
    }

    /**
     * @param momentum mu, in [0, 1); 0 keeps no state buffers
     * @throws InvalidConfigException naming {@code --momentum} if it is out of range
     */
    public Sgd(double momentum) {
        super("sgd", checkMomentum(momentum) > 0 ? List.of("v") : List.of(), false);
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
    void update(INDArray value, INDArray gradient, INDArray[] buffers, INDArray scratch, double learningRate,
                long t) {
        INDArray step = gradient;
        if (momentum > 0) {
            INDArray v = buffers[0];
            Nd4j.exec(new Axpy(v, gradient, v, momentum));        // v = mu * v + g
            step = v;
        }
        Nd4j.exec(new Axpy(step, value, value, -learningRate));   // p = -lr * step + p
    }

    @Override
    public String toString() {
        return "sgd(momentum=" + momentum + ")";
    }
}
