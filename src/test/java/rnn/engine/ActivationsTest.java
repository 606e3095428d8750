package rnn.engine;

import rnn.engine.kernel.Activations;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The polynomial exps and the gate functions built on them, against Math.exp over their ranges. */
class ActivationsTest {
    private static final int POINTS = 200_001;

    @Test
    void doubleExpIsAccurateWhereItMatters() {
        double worstNear = 0;
        double worstFar = 0;
        for (int i = 0; i < POINTS; i++) {
            double x = -40 + 80.0 * i / (POINTS - 1);
            double relative = Math.abs(Activations.exp(x) / Math.exp(x) - 1);
            if (Math.abs(x) <= 20) {
                worstNear = Math.max(worstNear, relative);
            }
            worstFar = Math.max(worstFar, relative);
        }
        assertTrue(worstNear < 3e-11, "relative error for |x| <= 20: " + worstNear);
        assertTrue(worstFar < 2e-8, "relative error for |x| <= 40: " + worstFar);
    }

    @Test
    void doubleGatesAreExactToRounding() {
        // The seven squarings multiply exp's rounding by up to 128: errors of a few 1e-15.
        double[] sigmoid = grid(-45, 45);
        double[] tanh = grid(-45, 45);
        Activations.sigmoid(sigmoid, 0, sigmoid.length);
        Activations.tanh(tanh, 0, tanh.length);
        double[] x = grid(-45, 45);
        for (int i = 0; i < x.length; i++) {
            double s = 1 / (1 + Math.exp(-x[i]));
            assertTrue(Math.abs(sigmoid[i] - s) < 2e-14, "sigmoid(" + x[i] + ") = " + sigmoid[i] + ", not " + s);
            assertTrue(Math.abs(tanh[i] - Math.tanh(x[i])) < 4e-14, "tanh(" + x[i] + ") = " + tanh[i]);
        }
    }

    @Test
    void floatExpHasAbsoluteErrorBelowOneMillionthOnSoftmaxTerms() {
        double worst = 0;
        for (int i = 0; i < POINTS; i++) {
            float x = (float) (-Activations.FLOAT_FLOOR * i / (POINTS - 1.0));
            worst = Math.max(worst, Math.abs(Activations.expf(x) - Math.exp(x)));
        }
        assertTrue(worst < 1e-6, "absolute error on [-30, 0]: " + worst);
        assertTrue(Activations.expf(0f) == 1f, "exp(0) is exactly 1: the largest softmax term");
    }

    @Test
    void floatGatesAreWithinAMillionth() {
        double[] x = grid(-45, 45);
        float[] sigmoid = new float[x.length];
        float[] tanh = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            sigmoid[i] = (float) x[i];
            tanh[i] = (float) x[i];
        }
        Activations.sigmoid(sigmoid, 0, sigmoid.length);
        Activations.tanh(tanh, 0, tanh.length);
        for (int i = 0; i < x.length; i++) {
            double in = (float) x[i];
            assertTrue(Math.abs(sigmoid[i] - 1 / (1 + Math.exp(-in))) < 1e-6, "sigmoid(" + in + ") = " + sigmoid[i]);
            assertTrue(Math.abs(tanh[i] - Math.tanh(in)) < 2e-6, "tanh(" + in + ") = " + tanh[i]);
        }
    }

    private static double[] grid(double from, double to) {
        double[] x = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            x[i] = from + (to - from) * i / (POINTS - 1);
        }
        return x;
    }
}
