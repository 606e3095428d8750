package rnn.engine;

/**
 * Sigmoid and tanh over ranges of a double array, written so that HotSpot's C2 vectorizes the
 * loops: {@code Math.exp} is a scalar call (about 6 ns), and ND4J's element-wise ops cost 10-40 us
 * of dispatch each, both too slow for the per-step gate maths.
 *
 * <p>exp(x) = exp(x / 128)^128: a degree-12 Taylor polynomial on |x / 128| <= 0.3125 and seven
 * squarings, relative error below 1e-14 on the clamped range; gates saturate well inside it.
 */
public final class Activations {
    /** exp's accurate range; beyond +-40 the sigmoid is 0 or 1 to double precision (and tanh beyond +-20). */
    public static final double CLAMP = 40.0;

    private Activations() {
    }

    /** a[i] = 1 / (1 + exp(-a[i])) for i in [from, to). */
    static void sigmoid(double[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            double x = Math.max(-CLAMP, Math.min(CLAMP, a[i]));
            a[i] = 1.0 / (1.0 + exp(-x));
        }
    }

    /** a[i] = tanh(a[i]) = 2 sigmoid(2 a[i]) - 1 for i in [from, to). */
    static void tanh(double[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            double x = Math.max(-CLAMP, Math.min(CLAMP, 2.0 * a[i]));
            a[i] = 2.0 / (1.0 + exp(-x)) - 1.0;
        }
    }

    /** exp(x) for |x| <= 40. */
    public static double exp(double x) {
        double r = x * (1.0 / 128);
        double p = 1.0 / 479001600;
        p = Math.fma(p, r, 1.0 / 39916800);
        p = Math.fma(p, r, 1.0 / 3628800);
        p = Math.fma(p, r, 1.0 / 362880);
        p = Math.fma(p, r, 1.0 / 40320);
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
