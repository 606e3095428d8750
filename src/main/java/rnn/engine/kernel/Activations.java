package rnn.engine.kernel;

/**
 * Sigmoid and tanh over ranges of a double array, written so that HotSpot's C2 vectorizes the
 * loops: {@code Math.exp} is a scalar call (about 6 ns), and ND4J's element-wise ops cost 10-40 us
 * of dispatch each, both too slow for the per-step gate maths.
 *
 * <p>exp(x) = exp(x / 128)^128: a degree-8 Taylor polynomial on |x / 128| <= 0.3125 and seven
 * squarings. Relative error below 3e-11 for |x| <= 20 and 2e-8 at 40, where sigmoid and
 * softmax terms no longer register: sigmoid's absolute error is 6e-15, the same as with degree
 * 12, which cost a quarter more.
 */
public final class Activations {
    /** exp's accurate range; beyond +-40 the sigmoid is 0 or 1 to double precision (and tanh beyond +-20). */
    public static final double CLAMP = 40.0;

    private Activations() {
    }

    /** a[i] = 1 / (1 + exp(-a[i])) for i in [from, to). */
    public static void sigmoid(double[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            double x = Math.max(-CLAMP, Math.min(CLAMP, a[i]));
            a[i] = 1.0 / (1.0 + exp(-x));
        }
    }

    /** a[i] = tanh(a[i]) = 2 sigmoid(2 a[i]) - 1 for i in [from, to). */
    public static void tanh(double[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            double x = Math.max(-CLAMP, Math.min(CLAMP, 2.0 * a[i]));
            a[i] = 2.0 / (1.0 + exp(-x)) - 1.0;
        }
    }

    /** Float gates saturate beyond +-20: sigmoid(-20) = 2e-9, and tanh is 1 to 4e-9 beyond 10. */
    private static final float FLOAT_GATE_CLAMP = 20f;

    /** Float sigmoid, absolute error below 1e-6 (see {@link #expf}; float itself has 6e-8 at 1). */
    public static void sigmoid(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            float x = Math.max(-FLOAT_GATE_CLAMP, Math.min(FLOAT_GATE_CLAMP, a[i]));
            a[i] = 1f / (1f + expf(-x));
        }
    }

    /** Float tanh = 2 sigmoid(2x) - 1, absolute error below 2e-6. */
    public static void tanh(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            float x = Math.max(-FLOAT_GATE_CLAMP, Math.min(FLOAT_GATE_CLAMP, 2f * a[i]));
            a[i] = 2f / (1f + expf(-x)) - 1f;
        }
    }

    /** Where {@link #expf} stops: softmax terms below e^-30 (1e-13 of the largest) are rounded up to it. */
    public static final float FLOAT_FLOOR = 30f;

    /**
     * exp(x) in float for -30 <= x <= 0, the range of softmax terms after the max shift:
     * exp(x / 16)^16, a degree-8 Taylor polynomial and four squarings, all float so that C2 runs
     * 16 lanes at once. Relative error about 1e-6 near 0 (16 ulp: the squarings multiply the
     * polynomial's rounding), absolute error below 1e-6 everywhere; float logits carry as much.
     * Up to x = 20 (float gates) the relative error grows to 1e-4, where 1 / (1 + exp(x)) is 2e-9.
     */
    public static float expf(float x) {
        float r = x * (1f / 16);
        float p = 1f / 40320;
        p = Math.fma(p, r, 1f / 5040);
        p = Math.fma(p, r, 1f / 720);
        p = Math.fma(p, r, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p;
    }

    /** exp(x) for |x| <= 40. */
    public static double exp(double x) {
        double r = x * (1.0 / 128);
        double p = 1.0 / 40320;
        p = Math.fma(p, r, 1.0 / 5040);
        p = Math.fma(p, r, 1.0 / 720);
        p = Math.fma(p, r, 1.0 / 120);
        p = Math.fma(p, r, 1.0 / 24);
        p = Math.fma(p, r, 1.0 / 6);
        p = Math.fma(p, r, 0.5);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p;
    }
}
