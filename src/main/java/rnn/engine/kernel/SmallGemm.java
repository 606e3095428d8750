package rnn.engine.kernel;

/**
 * c += a w for a few rows of a against w given as its K rows of N floats, all on the Java heap:
 * inference's per-step recurrent products (a batch's hidden states times W_hh^T, 1 to a few
 * rows against 200 x 800), where OpenBLAS's Haswell kernels take the packed path and repack all
 * of w on every call (JFR: four fifths of `rnn perplexity --streams 1`).
 *
 * <p>Each output element is summed in one fixed order, c + a_0 w_0 + a_1 w_1 + ... + a_{K-1}
 * w_{K-1}, one fused multiply-add per term (as the BLAS kernels round), whatever the number of
 * rows, the thread or the CPU: bit-for-bit repeatable, and a row's result does not depend on the
 * rows beside it. Four rows of w per pass over an output row keep its loads and stores to a
 * quarter, and each block of w serves every row of a while it is in L1. C2 vectorizes a pass
 * only over whole arrays indexed alike (no offsets it cannot prove apart), hence w as separate
 * rows and the output rows accumulated in scratch rows of their own.
 */
public final class SmallGemm {
    private SmallGemm() {
    }

    /** w's rows: row p of a row-major [k, n] matrix. */
    public static float[][] rows(float[] rowMajor, int k, int n) {
        if ((long) k * n != rowMajor.length) {
            throw new IllegalArgumentException(rowMajor.length + " floats are not " + k + " rows of " + n);
        }
        float[][] rows = new float[k][];
        for (int p = 0; p < k; p++) {
            rows[p] = java.util.Arrays.copyOfRange(rowMajor, p * n, (p + 1) * n);
        }
        return rows;
    }

    /**
     * c[cFrom + i*ldc + j] += sum over p < K (in that order) of a[aFrom + i*lda + p] * w[p][j], for
     * i < m and j < N. {@code scratch} holds at least m rows of at least N floats (overwritten).
     */
    public static void multiplyAdd(float[] a, int aFrom, int lda, int m, float[][] w, float[] c, int cFrom, int ldc,
                                   float[][] scratch) {
        int k = w.length;
        int n = k == 0 ? 0 : w[0].length;
        if (m < 0 || lda < k || ldc < n || scratch.length < m
                || m > 0 && (aFrom < 0 || cFrom < 0 || aFrom + (long) (m - 1) * lda + k > a.length
                        || cFrom + (long) (m - 1) * ldc + n > c.length)) {
            throw new IllegalArgumentException("small gemm out of bounds: " + m + "x" + k + " by " + k + "x" + n);
        }
        for (int i = 0; i < m; i++) {
            System.arraycopy(c, cFrom + i * ldc, scratch[i], 0, n);
        }
        int p = 0;
        for (; p + 4 <= k; p += 4) {
            float[] w0 = w[p];
            float[] w1 = w[p + 1];
            float[] w2 = w[p + 2];
            float[] w3 = w[p + 3];
            for (int i = 0; i < m; i++) {
                int at = aFrom + i * lda + p;
                addFour(a[at], a[at + 1], a[at + 2], a[at + 3], w0, w1, w2, w3, scratch[i], n);
            }
        }
        for (; p < k; p++) {
            for (int i = 0; i < m; i++) {
                addOne(a[aFrom + i * lda + p], w[p], scratch[i], n);
            }
        }
        for (int i = 0; i < m; i++) {
            System.arraycopy(scratch[i], 0, c, cFrom + i * ldc, n);
        }
    }

    /** s += a0 w0 + a1 w1 + a2 w2 + a3 w3, term by term in that order. */
    private static void addFour(float a0, float a1, float a2, float a3, float[] w0, float[] w1, float[] w2,
                                float[] w3, float[] s, int n) {
        for (int j = 0; j < n; j++) {
            s[j] = Math.fma(a3, w3[j], Math.fma(a2, w2[j], Math.fma(a1, w1[j], Math.fma(a0, w0[j], s[j]))));
        }
    }

    private static void addOne(float a0, float[] w0, float[] s, int n) {
        for (int j = 0; j < n; j++) {
            s[j] = Math.fma(a0, w0[j], s[j]);
        }
    }
}
