package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RMSprop with Keras's defaults (rho 0.9, epsilon 1e-7), for gradient g, parameter p and learning
 * rate lr:
 *
 * <pre>
 *   s = rho * s + (1 - rho) * g^2          (s starts at 0)
 *   p = p - lr * g / (sqrt(s) + eps)
 * </pre>
 *
 * <p>Epsilon is added outside the square root, as in Keras 2.x, {@code tf.keras}' optimizer_v2
 * RMSprop without momentum (its dense update is {@code var - lr * g / (sqrt(rms) + eps)}) and
 * {@code torch.optim.RMSprop}. TensorFlow's ApplyRMSProp kernel, which tf.keras uses only with
 * momentum, adds it inside ({@code sqrt(s + eps)}): that differs wherever s is not far above eps,
 * which at the start is every parameter whose gradient is below about 1e-3 (on the Keras tutorial's
 * corpus it raises the first epoch's validation loss from 6.93 to 7.08). No momentum, not centred.
 *
 * <p>State: {@code rmsprop.t} and {@code rmsprop.s.<parameter>}. One fused pass per parameter
 * ({@link ChunkedUpdate}), in the parameters' precision.
 */
public final class RmsProp extends StatefulOptimizer {
    public static final double DEFAULT_RHO = 0.9;
    public static final double DEFAULT_EPSILON = 1e-7;

    private final double rho;
    private final double epsilon;
    private final ChunkedUpdate chunks = new ChunkedUpdate();

    public RmsProp() {
        this(DEFAULT_RHO, DEFAULT_EPSILON);
    }

    /**
     * @param rho     decay of the mean square, in [0, 1)
     * @param epsilon added to the root mean square, positive and finite
     */
    public RmsProp(double rho, double epsilon) {
        super("rmsprop", List.of("s"));
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
    void update(INDArray value, INDArray gradient, INDArray[] buffers, double learningRate, long t,
                double gradientScale) {
        double keep = rho;
        double lr = learningRate;
        double eps = epsilon;
        double scale = gradientScale;
        float scaleF = (float) scale;
        float keepF = (float) keep;
        float lrF = (float) lr;
        float epsF = (float) eps;
        chunks.run(new INDArray[] {value, buffers[0], gradient}, 2, new ChunkedUpdate.Kernel() {
            @Override
            public void apply(float[][] a, int n) {
                float[] p = a[0];
                float[] s = a[1];
                float[] g = a[2];
                for (int i = 0; i < n; i++) {
                    float gi = scaleF * g[i];
                    s[i] = keepF * s[i] + (1 - keepF) * gi * gi;
                    p[i] -= lrF * gi / ((float) Math.sqrt(s[i]) + epsF);
                }
            }

            @Override
            public void apply(double[][] a, int n) {
                double[] p = a[0];
                double[] s = a[1];
                double[] g = a[2];
                for (int i = 0; i < n; i++) {
                    double gi = scale * g[i];
                    s[i] = keep * s[i] + (1 - keep) * gi * gi;
                    p[i] -= lr * gi / (Math.sqrt(s[i]) + eps);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "rmsprop(rho=" + rho + ", epsilon=" + epsilon + ")";
    }
}
