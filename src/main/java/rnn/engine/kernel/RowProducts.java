package rnn.engine.kernel;

/**
 * The products of a block of a fused softmax (the adaptive softmax's tail clusters), on matrices
 * held as separate row arrays: c += a w, and the dot products of the rows of two matrices. Both
 * run in {@link VectorRows}' register tiles when the vector module is loaded and as plain loops
 * otherwise (one array per row, all indexed alike, so that C2 vectorizes them), summing every
 * result in the same order with the same fused multiply-adds: the same bits either way, on any
 * thread.
 */
public final class RowProducts {
    /** Widths of {@link #multiplyAdd} are multiples of this: one tile of the vector kernel. */
    public static final int WIDTH = VectorRows.WIDTH;
    /** Lengths of {@link #dots} are multiples of this: one vector's lanes. */
    public static final int LANES = 8;

    private RowProducts() {
    }

    /**
     * c[i][x] += sum over p < k (in that order, one fused multiply-add each) of a[aFrom + i*lda + p] *
     * w[p][x], for i < m and x < n, n a multiple of {@link #WIDTH}.
     */
    public static void multiplyAdd(float[] a, int aFrom, int lda, int m, float[][] w, int k, float[][] c, int n) {
        multiplyAdd(a, aFrom, lda, m, w, k, c, n, PanelWeights.VECTOR);
    }

    static void multiplyAdd(float[] a, int aFrom, int lda, int m, float[][] w, int k, float[][] c, int n,
            boolean vector) {
        if (n % WIDTH != 0) {
            throw new IllegalArgumentException("width " + n + " is not a multiple of " + WIDTH);
        }
        if (vector) {
            VectorRows.multiplyAdd(a, aFrom, lda, m, w, k, c, n);
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                addScaled(a[aFrom + i * lda + p], w[p], c[i], n);
            }
        }
    }

    /**
     * c[cFrom + i*ldc + j] = the dot product of a[i] and b[j] over their first len floats (a multiple
     * of {@link #LANES}), for i < m and j < nb: lane l sums x = l, l + 8, ... in order with fused
     * multiply-adds, and the lanes are added ((0+1)+(2+3))+((4+5)+(6+7)).
     */
    public static void dots(float[][] a, int m, float[][] b, int nb, int len, float[] c, int cFrom, int ldc) {
        dots(a, m, b, nb, len, c, cFrom, ldc, PanelWeights.VECTOR);
    }

    static void dots(float[][] a, int m, float[][] b, int nb, int len, float[] c, int cFrom, int ldc, boolean vector) {
        if (len % LANES != 0) {
            throw new IllegalArgumentException("length " + len + " is not a multiple of " + LANES);
        }
        if (vector) {
            VectorRows.dots(a, m, b, nb, len, c, cFrom, ldc);
            return;
        }
        float[] lanes = new float[LANES];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < nb; j++) {
                java.util.Arrays.fill(lanes, 0f);
                laneSums(a[i], b[j], len, lanes);
                c[cFrom + i * ldc + j] = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
                        + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
            }
        }
    }

    /** c[x] = fma(factor, w[x], c[x]) for x < n. */
    private static void addScaled(float factor, float[] w, float[] c, int n) {
        for (int x = 0; x < n; x++) {
            c[x] = Math.fma(factor, w[x], c[x]);
        }
    }

    /** lanes[l] = fma(a[x], b[x], lanes[l]) for x = l, l + 8, ... below len. */
    private static void laneSums(float[] a, float[] b, int len, float[] lanes) {
        for (int x = 0; x < len; x += LANES) {
            lanes[0] = Math.fma(a[x], b[x], lanes[0]);
            lanes[1] = Math.fma(a[x + 1], b[x + 1], lanes[1]);
            lanes[2] = Math.fma(a[x + 2], b[x + 2], lanes[2]);
            lanes[3] = Math.fma(a[x + 3], b[x + 3], lanes[3]);
            lanes[4] = Math.fma(a[x + 4], b[x + 4], lanes[4]);
            lanes[5] = Math.fma(a[x + 5], b[x + 5], lanes[5]);
            lanes[6] = Math.fma(a[x + 6], b[x + 6], lanes[6]);
            lanes[7] = Math.fma(a[x + 7], b[x + 7], lanes[7]);
        }
    }
}
