package rnn.engine.kernel;

/**
 * A [K, N] weight matrix for the recurrent cells' per-step products c += a w (a batch's hidden
 * states, or their gate gradients, against W_hh^T or W_hh: 20 x 300 by 300 x 1200 in training),
 * copied to the heap once per batch and multiplied in Java rather than by OpenBLAS, whose
 * kernels run these thin products at about half their large-matrix rate (StepProductRate).
 *
 * <p>With the JDK's incubating vector module ({@code --add-modules jdk.incubator.vector}, which
 * bin/rnn passes to training) w is held in panels of {@value VectorPanels#WIDTH} columns and
 * multiplied four rows at a time with the tile's 12 vector sums kept in registers; without it,
 * as {@link SmallGemm}'s rows. Both sum every output element in one order, c + a_0 w_0 + a_1
 * w_1 + ... with one fused multiply-add per term, so the two give the same bits, as does any
 * thread or machine: a run does not depend on whether the module was there.
 */
public final class PanelWeights {
    /** Whether the vector kernel runs here (the module is loaded and the CPU has 8-float vectors). */
    public static final boolean VECTOR = vectorAvailable();

    private final int k;
    private final int n;
    private final boolean vector;
    /** Vector layout: panel q holds columns [24q, 24q + 24) for every p, p-major, zero past N. */
    private final float[][] panels;
    /** Plain layout: row p of w. */
    private final float[][] rows;
    /** The rows being multiplied, before packing: one copy from the off-heap array. */
    private final float[] source;
    /** Plain layout: {@link SmallGemm}'s accumulators; vector layout: the last panel's c rows. */
    private float[] edge = new float[0];
    private float[][] scratch = new float[0][];

    private PanelWeights(int k, int n, boolean vector) {
        if (k <= 0 || n <= 0) {
            throw new IllegalArgumentException("weights of " + k + " x " + n);
        }
        this.k = k;
        this.n = n;
        this.vector = vector;
        this.source = new float[k * n];
        this.panels = vector ? new float[(n + VectorPanels.WIDTH - 1) / VectorPanels.WIDTH][k * VectorPanels.WIDTH] : null;
        this.rows = vector ? null : new float[k][n];
    }

    /** Room for a [k, n] matrix, in the layout of the kernel that runs here. */
    public static PanelWeights create(int k, int n) {
        return new PanelWeights(k, n, VECTOR);
    }

    /** As {@link #create(int, int)}, choosing the kernel: the tests compare the two. */
    static PanelWeights create(int k, int n, boolean vector) {
        if (vector && !VECTOR) {
            throw new IllegalStateException("the vector kernel needs --add-modules jdk.incubator.vector");
        }
        return new PanelWeights(k, n, vector);
    }

    /** The float array the caller fills before {@link #pack(boolean)}: [k, n], or [n, k] to be transposed. */
    public float[] source() {
        return source;
    }

    /** Lays {@link #source()} out as w = source ([k, n] row-major) or w = source^T (source [n, k]). */
    public void pack(boolean transposed) {
        if (vector) {
            int width = VectorPanels.WIDTH;
            for (int q = 0; q < panels.length; q++) {
                float[] panel = panels[q];
                int from = q * width;
                int columns = Math.min(width, n - from);
                for (int p = 0; p < k; p++) {
                    int at = p * width;
                    for (int x = 0; x < columns; x++) {
                        panel[at + x] = transposed ? source[(from + x) * k + p] : source[p * n + from + x];
                    }
                }
            }
        } else {
            for (int p = 0; p < k; p++) {
                float[] row = rows[p];
                if (transposed) {
                    for (int j = 0; j < n; j++) {
                        row[j] = source[j * k + p];
                    }
                } else {
                    System.arraycopy(source, p * n, row, 0, n);
                }
            }
        }
    }

    /**
     * c[cFrom + i*ldc + j] += sum over p < K (in that order) of a[aFrom + i*lda + p] * w[p][j], for
     * i < m and j < N.
     */
    public void multiplyAdd(float[] a, int aFrom, int lda, int m, float[] c, int cFrom, int ldc) {
        if (m < 0 || lda < k || ldc < n
                || m > 0 && (aFrom < 0 || cFrom < 0 || aFrom + (long) (m - 1) * lda + k > a.length
                        || cFrom + (long) (m - 1) * ldc + n > c.length)) {
            throw new IllegalArgumentException("step product out of bounds: " + m + "x" + k + " by " + k + "x" + n);
        }
        if (m == 0) {
            return;
        }
        if (vector) {
            int width = VectorPanels.WIDTH;
            int whole = n / width;
            for (int q = 0; q < whole; q++) {
                VectorPanels.multiplyAdd(a, aFrom, lda, m, panels[q], k, c, cFrom + q * width, ldc);
            }
            if (whole < panels.length) {
                // The last panel's columns go through a scratch block as wide as the panel.
                int from = whole * width;
                int columns = n - from;
                if (edge.length < m * width) {
                    edge = new float[m * width];
                }
                for (int i = 0; i < m; i++) {
                    System.arraycopy(c, cFrom + i * ldc + from, edge, i * width, columns);
                }
                VectorPanels.multiplyAdd(a, aFrom, lda, m, panels[whole], k, edge, 0, width);
                for (int i = 0; i < m; i++) {
                    System.arraycopy(edge, i * width, c, cFrom + i * ldc + from, columns);
                }
            }
        } else {
            if (scratch.length < m) {
                scratch = new float[m][n];
            }
            SmallGemm.multiplyAdd(a, aFrom, lda, m, rows, c, cFrom, ldc, scratch);
        }
    }

    private static boolean vectorAvailable() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorPanels.supported();
        } catch (LinkageError e) {
            return false;
        }
    }
}
