package rnn.engine;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Matrix products handed to OpenBLAS directly, on the arrays' own memory. Only for what BLAS can
 * address: rank-2, one dtype (float or double), unit stride along rows (whole arrays and row or
 * column blocks of them). Shapes are checked here, since BLAS would read past an array silently.
 */
final class Blas {
    private Blas() {
    }

    /** c = op(a) op(b) + beta * c if BLAS can address all three; false (nothing done) otherwise. */
    static boolean gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double beta) {
        DataType type = c.dataType();
        if ((type != DataType.FLOAT && type != DataType.DOUBLE) || a.dataType() != type || b.dataType() != type
                || !addressable(a) || !addressable(b) || !addressable(c)) {
            return false;
        }
        long m = c.size(0);
        long n = c.size(1);
        long k = transA ? a.size(0) : a.size(1);
        if ((transA ? a.size(1) : a.size(0)) != m || (transB ? b.size(0) : b.size(1)) != n
                || (transB ? b.size(1) : b.size(0)) != k) {
            throw new IllegalArgumentException("gemm shapes do not match: " + shape(a) + (transA ? "^T" : "") + " x "
                    + shape(b) + (transB ? "^T" : "") + " -> " + shape(c));
        }
        int opA = transA ? CblasTrans : CblasNoTrans;
        int opB = transB ? CblasTrans : CblasNoTrans;
        if (type == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(CblasRowMajor, opA, opB, (int) m, (int) n, (int) k, 1f, floats(a),
                    leading(a), floats(b), leading(b), (float) beta, floats(c), leading(c));
        } else {
            openblas_nolapack.cblas_dgemm(CblasRowMajor, opA, opB, (int) m, (int) n, (int) k, 1.0, doubles(a),
                    leading(a), doubles(b), leading(b), beta, doubles(c), leading(c));
        }
        return true;
    }

    /**
     * The most multiply-adds one call may have to run in OpenBLAS's small-matrix kernels (its
     * SkylakeX build takes row-major no-transpose products up to 100^3 there, unpacked): at a few
     * rows they run about three times the rate of the packed path that bigger calls take.
     */
    static final long SMALL_PRODUCT = 1_000_000;
    /** Rows per tile: the small kernels' rate per row is best at about 4. */
    private static final int TILE_ROWS = 4;
    /** Beyond this many rows one packed call is as fast (it runs near the peak rate). */
    private static final int MAX_TILED_ROWS = 32;

    /**
     * c = a b + beta * c (no transposes) as tiles of at most {@link #SMALL_PRODUCT} multiply-adds:
     * for a few rows against a wide matrix (a batch's hidden states times a transposed weight),
     * where one call would go to the packed path. False (nothing done) if BLAS cannot address
     * the arrays.
     */
    static boolean gemmTiled(INDArray a, INDArray b, INDArray c, double beta) {
        return gemmTiled(a, b, c, beta, c.size(0));
    }

    /**
     * The same for the first {@code m} rows of a and c, when the rows after them are not needed
     * (a serving batch's padding): those may be left as they are or computed too.
     */
    static boolean gemmTiled(INDArray a, INDArray b, INDArray c, double beta, long m) {
        long n = c.size(1);
        long k = a.size(1);
        if (m < 1 || m > c.size(0) || m > MAX_TILED_ROWS || c.dataType() != DataType.FLOAT
                || a.dataType() != DataType.FLOAT || b.dataType() != DataType.FLOAT || !addressable(a) || !addressable(b)
                || !addressable(c)) {
            return gemm(a, b, c, false, false, beta);
        }
        if (a.size(0) != c.size(0) || b.size(0) != k || b.size(1) != n) {
            throw new IllegalArgumentException("gemm shapes do not match: " + shape(a) + " x " + shape(b) + " -> "
                    + shape(c));
        }
        // A product small enough for the small-matrix kernels goes in one call; a larger one in tiles.
        boolean small = m * n * k <= SMALL_PRODUCT;
        int rows = (int) (small ? m : Math.min(m, TILE_ROWS));
        int cols = (int) (small ? n : Math.min(n, Math.max(16, SMALL_PRODUCT / (rows * k) / 16 * 16)));
        int lda = leading(a);
        int ldb = leading(b);
        int ldc = leading(c);
        FloatPointer at = floats(a);
        FloatPointer bt = floats(b);
        FloatPointer ct = floats(c);
        long a0 = at.position();
        long b0 = bt.position();
        long c0 = ct.position();
        for (long i = 0; i < m; i += rows) {
            int height = (int) Math.min(rows, m - i);
            for (long j = 0; j < n; j += cols) {
                int width = (int) Math.min(cols, n - j);
                at.position(a0 + i * lda);  // the tile's first element: calls take the position as an offset
                bt.position(b0 + j);
                ct.position(c0 + i * ldc + j);
                openblas_nolapack.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, height, width, (int) k, 1f,
                        at, lda, bt, ldb, (float) beta, ct, ldc);
            }
        }
        return true;
    }

    /** Rank 2 and row-major with unit stride along each row, rows a fixed stride apart. */
    private static boolean addressable(INDArray x) {
        return x.rank() == 2 && x.size(0) > 0 && x.size(1) > 0 && (x.size(1) == 1 || x.stride(1) == 1)
                && (x.size(0) == 1 || x.stride(0) >= x.size(1)) && x.size(0) <= Integer.MAX_VALUE
                && x.size(1) <= Integer.MAX_VALUE;
    }

    /** The distance between rows, as BLAS wants it (at least the row length). */
    private static int leading(INDArray x) {
        return (int) (x.size(0) == 1 ? x.size(1) : Math.max(x.stride(0), x.size(1)));
    }

    private static FloatPointer floats(INDArray x) {
        return new FloatPointer(x.data().addressPointer());
    }

    private static DoublePointer doubles(INDArray x) {
        return new DoublePointer(x.data().addressPointer());
    }

    private static String shape(INDArray x) {
        return x.size(0) + "x" + x.size(1);
    }
}
