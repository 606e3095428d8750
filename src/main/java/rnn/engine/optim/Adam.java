package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam in PyTorch's bias-corrected form ({@code torch.optim.Adam}, no weight decay, no AMSGrad),
 * defaults beta1 0.9, beta2 0.999, epsilon 1e-8, for gradient g, parameter p, learning rate lr and
 * step number t (1 on the first step):
 *
 * <pre>
 *   m = b1 * m + (1 - b1) * g              (m and v start at 0)
 *   v = b2 * v + (1 - b2) * g^2
 *   mhat = m / (1 - b1^t)
 *   vhat = v / (1 - b2^t)
 *   p = p - lr * mhat / (sqrt(vhat) + eps)
 * </pre>
 *
 * <p>Evaluated in PyTorch's order, {@code p = p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)},
 * with the bias corrections computed in double precision whatever the parameters' type. Epsilon is
 * added after the bias correction (unlike the "epsilon hat" form of ND4J's own Adam updater).
 *
 * <p>State: {@code adam.t}, {@code adam.m.<parameter>}, {@code adam.v.<parameter>}. Ten ND4J ops per
 * parameter, all in place, through one shared scratch array.
 */
public final class Adam extends StatefulOptimizer {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;

    private final double beta1;
    private final double beta2;
    private final double epsilon;

    public Adam() {
        this(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    /**
     * @param beta1   decay of the first moment, in [0, 1)
     * @param beta2   decay of the second moment, in [0, 1)
     * @param epsilon added to the root of the corrected second moment, positive and finite
     */
    public Adam(double beta1, double beta2, double epsilon) {
        super("adam", List.of("m", "v"), true);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("adam beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adam beta2 must be in [0, 1), got " + beta2);
        }
        if (!(epsilon > 0 && Double.isFinite(epsilon))) {
            throw new IllegalArgumentException("adam epsilon must be positive and finite, got " + epsilon);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    void update(INDArray value, INDArray gradient, INDArray[] buffers, INDArray scratch, double learningRate,
                long t) {
        INDArray m = buffers[0];
        INDArray v = buffers[1];
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        Nd4j.exec(new ScalarMultiplication(gradient, null, scratch, 1 - beta1)); // (1 - b1) g
        Nd4j.exec(new Axpy(m, scratch, m, beta1));                               // m = b1 m + (1 - b1) g
        Nd4j.exec(new ScalarMultiplication(gradient, null, scratch, 1 - beta2)); // (1 - b2) g
        Nd4j.exec(new MulOp(scratch, gradient, scratch));                        // (1 - b2) g * g
        Nd4j.exec(new Axpy(v, scratch, v, beta2));                               // v = b2 v + (1 - b2) g^2
        Nd4j.exec(new Sqrt(v, scratch));
        Nd4j.exec(new ScalarDivision(scratch, null, scratch, Math.sqrt(correction2)));
        Nd4j.exec(new ScalarAdd(scratch, null, scratch, epsilon));               // sqrt(vhat) + eps
        Nd4j.exec(new DivOp(m, scratch, scratch));                               // m / (sqrt(vhat) + eps)
        Nd4j.exec(new Axpy(scratch, value, value, -(learningRate / correction1))); // p -= lr mhat / (...)
    }

    @Override
    public String toString() {
        return "adam(beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
