package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.kernel.SmallGemm;

/**
 * {@link SmallGemm}: a hand-computed product through strided rows, the fixed summation order
 * (bit for bit against a scalar chain of fused multiply-adds, for any number of rows), and
 * OpenBLAS's product of the recurrent step's shape to float rounding.
 */
class SmallGemmTest {
    @Test
    void handComputedProductThroughStridedRowsTouchesNothingElse() {
        // a: 2 x 5 at offset 1, rows 7 apart; w: 5 x 3; c: 2 x 3 at offset 2, rows 4 apart. K = 5
        // takes one block of four rows of w and one row on its own.
        float[] a = {
            9, 1, 2, 0, -1, 3, 9,
            9, 0, 1, 1, 2, -2, 9};
        float[][] w = {
            {1, 0, 2},
            {0, 1, 1},
            {3, -1, 0},
            {1, 1, 1},
            {2, 0, -1}};
        float[] c = {7, 7, 10, 20, 30, 7, 1, 2, 3, 7, 7};
        SmallGemm.multiplyAdd(a, 1, 7, 2, w, c, 2, 4, new float[2][3]);
        // Row 0: (1, 2, 0, -1, 3) w = (1+0+0-1+6, 0+2+0-1+0, 2+2+0-1-3) = (6, 1, 0), plus (10, 20, 30).
        // Row 1: (0, 1, 1, 2, -2) w = (0+0+3+2-4, 0+1-1+2+0, 0+1+0+2+2) = (1, 2, 5), plus (1, 2, 3).
        assertArrayEquals(new float[] {7, 7, 16, 21, 30, 7, 2, 4, 8, 7, 7}, c, 0f);
    }

    @Test
    void eachElementIsOneFusedChainInOrderWhateverTheRowsBesideIt() {
        SplittableRandom random = new SplittableRandom(3);
        int m = 6;
        int k = 203;  // 50 blocks of four and three rows on their own
        int n = 37;
        float[] a = floats(random, m * k, 1);
        float[][] w = new float[k][];
        for (int p = 0; p < k; p++) {
            w[p] = floats(random, n, 1);
        }
        float[] c = floats(random, m * n, 1);
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = c[i * n + j];
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[i * k + p], w[p][j], s);
                }
                expected[i * n + j] = s;
            }
        }
        float[] together = c.clone();
        SmallGemm.multiplyAdd(a, 0, k, m, w, together, 0, n, new float[m][n]);
        assertArrayEquals(expected, together, 0f, "all rows at once");
        float[] alone = c.clone();
        for (int i = 0; i < m; i++) {
            SmallGemm.multiplyAdd(a, i * k, k, 1, w, alone, i * n, n, new float[1][n]);
        }
        assertArrayEquals(expected, alone, 0f, "one row at a time");
    }

    @Test
    void matchesOpenBlasOnTheRecurrentStepToFloatRounding() {
        SplittableRandom random = new SplittableRandom(5);
        int hidden = 200;
        for (int m : new int[] {1, 7}) {
            float[] h = floats(random, m * hidden, 1);
            float[] weightHh = floats(random, 4 * hidden * hidden, 0.1);  // [4H, H], as the engine keeps it
            float[] pre = floats(random, m * 4 * hidden, 1);
            INDArray hArray = Nd4j.createFromArray(h).reshape(m, hidden);
            INDArray wArray = Nd4j.createFromArray(weightHh).reshape(4 * hidden, hidden);
            INDArray out = Nd4j.createFromArray(pre.clone()).reshape(m, 4 * hidden);
            assertTrue(Blas.gemm(hArray, wArray, out, false, true, 1.0));
            float[][] rows = SmallGemm.rows(wArray.transpose().dup('c').data().asFloat(), hidden, 4 * hidden);
            float[] c = pre.clone();
            SmallGemm.multiplyAdd(h, 0, hidden, m, rows, c, 0, 4 * hidden, new float[m][4 * hidden]);
            float[] blas = out.data().asFloat();
            for (int i = 0; i < c.length; i++) {
                double scale = Math.abs(pre[i]);  // each element's sum of |terms|
                for (int p = 0; p < hidden; p++) {
                    scale += Math.abs(h[i / (4 * hidden) * hidden + p] * weightHh[i % (4 * hidden) * hidden + p]);
                }
                assertEquals(blas[i], c[i], 1e-6 * scale, m + " rows, element " + i);
            }
        }
    }

    @Test
    void refusesProductsOutsideItsArrays() {
        float[][] w = new float[4][3];
        assertThrows(IllegalArgumentException.class,
                () -> SmallGemm.multiplyAdd(new float[7], 0, 4, 2, w, new float[6], 0, 3, new float[2][3]));
        assertThrows(IllegalArgumentException.class,
                () -> SmallGemm.multiplyAdd(new float[8], 0, 4, 2, w, new float[5], 0, 3, new float[2][3]));
        assertThrows(IllegalArgumentException.class,
                () -> SmallGemm.multiplyAdd(new float[8], 0, 4, 2, w, new float[6], 0, 3, new float[1][3]));
        assertThrows(IllegalArgumentException.class, () -> SmallGemm.rows(new float[11], 4, 3));
    }

    private static float[] floats(SplittableRandom random, int n, double range) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-range, range);
        }
        return values;
    }
}
