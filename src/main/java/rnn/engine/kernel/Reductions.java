package rnn.engine.kernel;

/**
 * The maximum and the sum of a float array's first elements, keeping eight partial results so that
 * each step does not wait on the one before: one running maximum or sum is a chain of dependent
 * instructions, several cycles each, which C2 does not vectorize. The order is fixed by the width
 * alone, so results are the same on every run and thread count.
 */
public final class Reductions {
    private Reductions() {
    }

    /**
     * The largest of a[0, width), NaN skipped (a row with a NaN still gets a NaN sum of exponentials,
     * so its loss is NaN). A compare and select is about 1.6x faster here than Math.max, whose NaN
     * and signed-zero rules cost several instructions per element.
     */
    public static float max(float[] a, int width) {
        return max(a, 0, width);
    }

    /** As {@link #max(float[], int)} over a[from, from + width). */
    public static float max(float[] a, int from, int width) {
        return max(a, from, width, PanelWeights.VECTOR);
    }

    /** As above, choosing the kernel: the vector module's lanes or the plain loop (the same value). */
    static float max(float[] a, int from, int width, boolean vector) {
        if (vector) {
            return VectorRows.max(a, from, width);
        }
        float m0 = Float.NEGATIVE_INFINITY, m1 = m0, m2 = m0, m3 = m0, m4 = m0, m5 = m0, m6 = m0, m7 = m0;
        int end = from + width;
        int j = from;
        for (; j + 8 <= end; j += 8) {
            m0 = a[j] > m0 ? a[j] : m0;
            m1 = a[j + 1] > m1 ? a[j + 1] : m1;
            m2 = a[j + 2] > m2 ? a[j + 2] : m2;
            m3 = a[j + 3] > m3 ? a[j + 3] : m3;
            m4 = a[j + 4] > m4 ? a[j + 4] : m4;
            m5 = a[j + 5] > m5 ? a[j + 5] : m5;
            m6 = a[j + 6] > m6 ? a[j + 6] : m6;
            m7 = a[j + 7] > m7 ? a[j + 7] : m7;
        }
        for (; j < end; j++) {
            m0 = a[j] > m0 ? a[j] : m0;
        }
        return Math.max(Math.max(Math.max(m0, m1), Math.max(m2, m3)), Math.max(Math.max(m4, m5), Math.max(m6, m7)));
    }

    /** The sum in double of a[0, width). */
    public static double sum(float[] a, int width) {
        return sum(a, 0, width);
    }

    /** The sum in double of a[from, from + width), in the order of {@link #sum(float[], int)}. */
    public static double sum(float[] a, int from, int width) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int end = from + width;
        int j = from;
        for (; j + 8 <= end; j += 8) {
            s0 += a[j];
            s1 += a[j + 1];
            s2 += a[j + 2];
            s3 += a[j + 3];
            s4 += a[j + 4];
            s5 += a[j + 5];
            s6 += a[j + 6];
            s7 += a[j + 7];
        }
        for (; j < end; j++) {
            s0 += a[j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
