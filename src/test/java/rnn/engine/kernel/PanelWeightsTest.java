package rnn.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link PanelWeights}: a hand-computed product, and both kernels (vector panels and plain rows)
 * bit for bit against one scalar chain of fused multiply-adds per element, over shapes with whole
 * and partial panels, row counts around the four-row tile, both packings, and strided a and c.
 */
class PanelWeightsTest {
    @Test
    void theTestsRunTheVectorKernel() {
        assertTrue(PanelWeights.VECTOR, "the vector kernel is off: surefire's argLine must add jdk.incubator.vector"
                + " (and the CPU needs AVX2)");
    }

    @Test
    void handComputedProductThroughStridedRowsTouchesNothingElse() {
        // a: 2 x 5 at offset 1, rows 7 apart; w: 5 x 3; c: 2 x 3 at offset 2, rows 4 apart.
        float[] a = {
            9, 1, 2, 0, -1, 3, 9,
            9, 0, 1, 1, 2, -2, 9};
        float[] w = {
            1, 0, 2,
            0, 1, 1,
            3, -1, 0,
            1, 1, 1,
            2, 0, -1};
        for (boolean vector : new boolean[] {true, false}) {
            PanelWeights weights = PanelWeights.create(5, 3, vector);
            System.arraycopy(w, 0, weights.source(), 0, w.length);
            weights.pack(false);
            float[] c = {7, 7, 10, 20, 30, 7, 1, 2, 3, 7, 7};
            weights.multiplyAdd(a, 1, 7, 2, c, 2, 4);
            // Row 0: (1, 2, 0, -1, 3) w = (6, 1, 0), plus (10, 20, 30); row 1: (0, 1, 1, 2, -2) w = (1, 2, 5), plus (1, 2, 3).
            assertArrayEquals(new float[] {7, 7, 16, 21, 30, 7, 2, 4, 8, 7, 7}, c, 0f, vector ? "vector" : "plain");
        }
    }

    @Test
    void everyElementIsOneFusedChainInOrderInBothKernels() {
        SplittableRandom random = new SplittableRandom(11);
        int[][] shapes = {{7, 24}, {203, 37}, {16, 64}, {64, 16}, {300, 1200}, {1200, 300}, {5, 3}};
        for (int[] shape : shapes) {
            int k = shape[0];
            int n = shape[1];
            for (boolean transposed : new boolean[] {false, true}) {
                float[] source = floats(random, k * n);
                float[][] w = new float[k][n];  // w[p][j], whichever way source holds it
                for (int p = 0; p < k; p++) {
                    for (int j = 0; j < n; j++) {
                        w[p][j] = transposed ? source[j * k + p] : source[p * n + j];
                    }
                }
                PanelWeights vector = PanelWeights.create(k, n, true);
                PanelWeights plain = PanelWeights.create(k, n, false);
                System.arraycopy(source, 0, vector.source(), 0, source.length);
                System.arraycopy(source, 0, plain.source(), 0, source.length);
                vector.pack(transposed);
                plain.pack(transposed);
                for (int m : new int[] {1, 3, 4, 5, 20}) {
                    int lda = k + 2;
                    int ldc = n + 3;
                    float[] a = floats(random, 1 + m * lda);
                    float[] c = floats(random, 2 + m * ldc);
                    float[] expected = c.clone();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float s = c[2 + i * ldc + j];
                            for (int p = 0; p < k; p++) {
                                s = Math.fma(a[1 + i * lda + p], w[p][j], s);
                            }
                            expected[2 + i * ldc + j] = s;
                        }
                    }
                    String what = m + " x " + k + " by " + k + " x " + n + (transposed ? ", transposed" : "");
                    float[] fromVector = c.clone();
                    vector.multiplyAdd(a, 1, lda, m, fromVector, 2, ldc);
                    assertArrayEquals(expected, fromVector, 0f, "vector, " + what);
                    float[] fromPlain = c.clone();
                    plain.multiplyAdd(a, 1, lda, m, fromPlain, 2, ldc);
                    assertArrayEquals(expected, fromPlain, 0f, "plain, " + what);
                }
            }
        }
    }

    @Test
    void refusesAProductOutsideItsArrays() {
        PanelWeights weights = PanelWeights.create(4, 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> weights.multiplyAdd(new float[8], 0, 4, 3, new float[90], 0, 30));
        assertTrue(e.getMessage().contains("3x4 by 4x30"), e.getMessage());
    }

    private static float[] floats(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }
}
