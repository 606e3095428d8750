package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

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
 * <p>State: {@code adam.t}, {@code adam.m.<parameter>}, {@code adam.v.<parameter>}. One fused pass
 * per parameter ({@link ChunkedUpdate}), in the parameters' precision.
 */
public final class Adam extends StatefulOptimizer {
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final ChunkedUpdate chunks = new ChunkedUpdate();

    public Adam() {
        this(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    /**
     * @param beta1   decay of the first moment, in [0, 1)
     * @param beta2   decay of the second moment, in [0, 1)
     * @param epsilon added to the root of the corrected second moment, positive and finite
     */
    public Adam(double beta1, double beta2, double epsilon) {
        super("adam", List.of("m", "v"));
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
    void update(INDArray value, INDArray gradient, INDArray[] buffers, double learningRate, long t,
                double gradientScale) {
        double b1 = beta1;
        double b2 = beta2;
        double eps = epsilon;
        double step = learningRate / (1 - Math.pow(beta1, t));
        double root2 = Math.sqrt(1 - Math.pow(beta2, t));
        double scale = gradientScale;
        float scaleF = (float) scale;
        float b1F = (float) b1;
        float b2F = (float) b2;
        float epsF = (float) eps;
        float stepF = (float) step;
        float root2F = (float) root2;
        chunks.run(new INDArray[] {value, buffers[0], buffers[1], gradient}, 3, new ChunkedUpdate.Kernel() {
            @Override
            public void apply(float[][] a, int n) {
                float[] p = a[0];
                float[] m = a[1];
                float[] v = a[2];
                float[] g = a[3];
                for (int i = 0; i < n; i++) {
                    float gi = scaleF * g[i];
                    m[i] = b1F * m[i] + (1 - b1F) * gi;
                    v[i] = b2F * v[i] + (1 - b2F) * gi * gi;
                    p[i] -= stepF * m[i] / ((float) Math.sqrt(v[i]) / root2F + epsF);
                }
            }

            @Override
            public void apply(double[][] a, int n) {
                double[] p = a[0];
                double[] m = a[1];
                double[] v = a[2];
                double[] g = a[3];
                for (int i = 0; i < n; i++) {
                    double gi = scale * g[i];
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    p[i] -= step * m[i] / (Math.sqrt(v[i]) / root2 + eps);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "adam(beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
