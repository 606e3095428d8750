package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * RMSprop with Keras's defaults (rho 0.9, epsilon 1e-7), for gradient g, parameter p and learning
 * rate lr:
 *
 * <pre>
 *   s = rho * s + (1 - rho) * g^2          (s starts at 0)
 *   p = p - lr * g / (sqrt(s) + eps)
 * </pre>
 *
 * <p>Epsilon is added outside the square root, as in Keras 2.x and {@code torch.optim.RMSprop};
 * {@code tf.keras} 2.x and Keras 3 add it inside ({@code sqrt(s + eps)}), which differs only where
 * s is comparable to eps. No momentum, not centred.
 *
 * <p>State: {@code rmsprop.t} and {@code rmsprop.s.<parameter>}. Six ND4J ops per parameter, all in
 * place, through one shared scratch array.
 */
public final class RmsProp extends StatefulOptimizer {
    public static final double DEFAULT_RHO = 0.9;
    public static final double DEFAULT_EPSILON = 1e-7;

    private final double rho;
    private final double epsilon;

    public RmsProp() {
        this(DEFAULT_RHO, DEFAULT_EPSILON);
    }

    /**
     * @param rho     decay of the mean square, in [0, 1)
     * @param epsilon added to the root mean square, positive and finite
     */
    public RmsProp(double rho, double epsilon) {
        super("rmsprop", List.of("s"), true);
        if (!(rho >= 0 && rho < 1)) {
            throw new IllegalArgumentException("rmsprop rho must be in [0, 1), got " + rho);
        }
        if (!(epsilon > 0 && Double.isFinite(epsilon))) {
            throw new IllegalArgumentException("rmsprop epsilon must be positive and finite, got " + epsilon);
        }
        this.rho = rho;
        this.epsilon = epsilon;
    }

    public double rho() {
        return rho;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    void update(INDArray value, INDArray gradient, INDArray[] buffers, INDArray scratch, double learningRate,
                long t) {
        INDArray s = buffers[0];
        Nd4j.exec(new ScalarMultiplication(gradient, null, scratch, 1 - rho)); // (1 - rho) g
        Nd4j.exec(new MulOp(scratch, gradient, scratch));                      // (1 - rho) g * g
        Nd4j.exec(new Axpy(s, scratch, s, rho));                               // s = rho s + (1 - rho) g^2
        Nd4j.exec(new Sqrt(s, scratch));
        Nd4j.exec(new ScalarAdd(scratch, null, scratch, epsilon));             // sqrt(s) + eps
        Nd4j.exec(new DivOp(gradient, scratch, scratch));                      // g / (sqrt(s) + eps)
        Nd4j.exec(new Axpy(scratch, value, value, -learningRate));             // p = -lr * that + p
    }

    @Override
    public String toString() {
        return "rmsprop(rho=" + rho + ", epsilon=" + epsilon + ")";
    }
}
