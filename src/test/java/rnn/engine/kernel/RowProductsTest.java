package rnn.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link RowProducts}: hand-computed cases, and both kernels (vector tiles and plain loops) bit for
 * bit against the documented order of fused multiply-adds, over row counts around the four-row and
 * three-row tiles, several widths and inner sizes.
 */
class RowProductsTest {
    @Test
    void handComputedProductAndDots() {
        for (boolean vector : new boolean[] {true, false}) {
            // a: 2 x 3 at offset 1, rows 4 apart; w: 3 rows of 24, non-zero in columns 0, 1 and 23.
            float[] a = {9, 1, 2, -1, 9, 0, 1, 3, 9};
            float[][] w = new float[3][24];
            w[0][0] = 1;
            w[0][23] = 2;
            w[1][1] = 1;
            w[1][23] = 1;
            w[2][0] = 3;
            w[2][1] = -1;
            float[][] c = new float[2][24];
            c[0][5] = 7;
            RowProducts.multiplyAdd(a, 1, 4, 2, w, 3, c, 24, vector);
            // Row 0 = (1, 2, -1) w: column 0 = 1 - 3 = -2, column 1 = 2 + 1 = 3, column 23 = 2 + 2 = 4.
            // Row 1 = (0, 1, 3) w: column 0 = 9, column 1 = 1 - 3 = -2, column 23 = 1.
            float[] row0 = new float[24];
            row0[0] = -2;
            row0[1] = 3;
            row0[5] = 7;
            row0[23] = 4;
            float[] row1 = new float[24];
            row1[0] = 9;
            row1[1] = -2;
            row1[23] = 1;
            assertArrayEquals(row0, c[0], 0f);
            assertArrayEquals(row1, c[1], 0f);

            // Dots over 8 floats: (1..8) . (1, 0, ..., 0, 2) = 1 + 16 = 17; (1..8) . ones = 36.
            float[][] x = {{1, 2, 3, 4, 5, 6, 7, 8}};
            float[][] y = {{1, 0, 0, 0, 0, 0, 0, 2}, {1, 1, 1, 1, 1, 1, 1, 1}};
            float[] out = {5, 5, 5, 5};
            RowProducts.dots(x, 1, y, 2, 8, out, 1, 2, vector);
            assertArrayEquals(new float[] {5, 17, 36, 5}, out, 0f);
        }
    }

    @Test
    void productsAreOneFusedChainInOrderInBothKernels() {
        SplittableRandom random = new SplittableRandom(5);
        for (int k : new int[] {1, 3, 25, 50}) {
            for (int n : new int[] {24, 48, 480}) {
                for (int m : new int[] {1, 3, 4, 5, 9}) {
                    int lda = k + 1;
                    float[] a = floats(random, 2 + m * lda);
                    float[][] w = rows(random, k, n + 5);
                    float[][] start = rows(random, m, n + 3);
                    float[][] expected = copy(start);
                    for (int i = 0; i < m; i++) {
                        for (int x = 0; x < n; x++) {
                            float s = start[i][x];
                            for (int p = 0; p < k; p++) {
                                s = Math.fma(a[2 + i * lda + p], w[p][x], s);
                            }
                            expected[i][x] = s;
                        }
                    }
                    for (boolean vector : new boolean[] {true, false}) {
                        float[][] c = copy(start);
                        RowProducts.multiplyAdd(a, 2, lda, m, w, k, c, n, vector);
                        for (int i = 0; i < m; i++) {
                            assertArrayEquals(expected[i], c[i], 0f, (vector ? "vector" : "plain") + " m=" + m + " k=" + k
                                    + " n=" + n + " row " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void dotsSumEightLanesInOrderInBothKernels() {
        SplittableRandom random = new SplittableRandom(6);
        for (int len : new int[] {8, 24, 480}) {
            for (int m : new int[] {1, 4, 5, 50}) {
                for (int nb : new int[] {1, 3, 4, 25}) {
                    float[][] a = rows(random, m, len + 2);
                    float[][] b = rows(random, nb, len + 1);
                    int ldc = nb + 1;
                    float[] expected = new float[3 + m * ldc];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < nb; j++) {
                            float[] lanes = new float[8];
                            for (int x = 0; x < len; x++) {
                                lanes[x % 8] = Math.fma(a[i][x], b[j][x], lanes[x % 8]);
                            }
                            expected[3 + i * ldc + j] = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
                                    + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
                        }
                    }
                    for (boolean vector : new boolean[] {true, false}) {
                        float[] c = new float[expected.length];
                        RowProducts.dots(a, m, b, nb, len, c, 3, ldc, vector);
                        assertArrayEquals(expected, c, 0f, (vector ? "vector" : "plain") + " m=" + m + " nb=" + nb
                                + " len=" + len);
                    }
                }
            }
        }
    }

    @Test
    void widthsMustBeWholeTilesAndLanes() {
        float[][] one = new float[1][30];
        assertThrows(IllegalArgumentException.class,
                () -> RowProducts.multiplyAdd(new float[1], 0, 1, 1, one, 1, one, 25));
        assertThrows(IllegalArgumentException.class,
                () -> RowProducts.dots(one, 1, one, 1, 12, new float[1], 0, 1));
        assertEquals(24, RowProducts.WIDTH);
    }

    private static float[] floats(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static float[][] rows(SplittableRandom random, int m, int n) {
        float[][] a = new float[m][];
        for (int i = 0; i < m; i++) {
            a[i] = floats(random, n);
        }
        return a;
    }

    private static float[][] copy(float[][] a) {
        float[][] b = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i].clone();
        }
        return b;
    }
}
