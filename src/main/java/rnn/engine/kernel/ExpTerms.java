package rnn.engine.kernel;

/**
 * The exponential terms of a softmax over a range of floats, in place, through {@link
 * Activations#expf}: plain loops over one array with one index, which C2 vectorizes (a version in
 * the vector API was slower here: 0.9-1.0 against 0.57 ns per element).
 */
public final class ExpTerms {
    private ExpTerms() {
    }

    /**
     * a[from + j] := expf(max(-30, a[from + j] - shift)) for j < width; returns their sum in double,
     * summed as {@link Reductions#sum(float[], int, int)}.
     */
    public static double expShifted(float[] a, int from, int width, float shift) {
        scaledExp(a, from, width, shift, 1f);
        return Reductions.sum(a, from, width);
    }

    /** a[from + j] := scale * expf(max(-30, a[from + j] - shift)) for j < width: softmax terms, scaled. */
    public static void scaledExp(float[] a, int from, int width, float shift, float scale) {
        int end = from + width;
        for (int j = from; j < end; j++) {
            a[j] = scale * Activations.expf(Math.max(-Activations.FLOAT_FLOOR, a[j] - shift));
        }
    }
}
