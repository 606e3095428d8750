package rnn.engine.kernel;

/**
 * The exponential terms of a softmax over a range of floats, in place, through {@link
 * Activations#expf}: in {@link VectorRows}' lanes when the vector module is loaded, as plain loops
 * otherwise (one array, one index, so that C2 vectorizes them), the same bits either way.
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
