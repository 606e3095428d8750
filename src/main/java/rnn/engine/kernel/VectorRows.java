package rnn.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Reductions#max}'s and {@link RowProducts}' loops in the JDK's incubating vector API, loaded
 * only with the module: every lane does what the plain loops do for its element (or, for sums kept
 * in eight parts, for its part), so the two give the same bits.
 */
final class VectorRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final int WIDTH = 24;

    private VectorRows() {
    }

    /** The compare-and-select maximum, lane l taking a[from + l], a[from + 8 + l], ... (C2 vectorizes none of it). */
    static float max(float[] a, int from, int width) {
        int end = from + width;
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = from;
        for (; j + 8 <= end; j += 8) {
            FloatVector v = FloatVector.fromArray(F, a, j);
            VectorMask<Float> greater = v.compare(VectorOperators.GT, m);
            m = m.blend(v, greater);
        }
        float m0 = m.lane(0);
        for (; j < end; j++) {
            m0 = a[j] > m0 ? a[j] : m0;
        }
        // Lanes read one by one: an array for them would be one allocation per row of every softmax.
        return Math.max(Math.max(Math.max(m0, m.lane(1)), Math.max(m.lane(2), m.lane(3))),
                Math.max(Math.max(m.lane(4), m.lane(5)), Math.max(m.lane(6), m.lane(7))));
    }

    /**
     * c[i][x] += sum over p (in order) of a[aFrom + i*lda + p] * w[p][x] for i < m and x < n (a multiple
     * of 24): tiles of 4 rows by 24 columns keep their 12 sums in registers for the whole of k.
     */
    static void multiplyAdd(float[] a, int aFrom, int lda, int m, float[][] w, int k, float[][] c, int n) {
        for (int x = 0; x < n; x += WIDTH) {
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                fourRows(a, aFrom + i * lda, lda, w, k, c[i], c[i + 1], c[i + 2], c[i + 3], x);
            }
            for (; i < m; i++) {
                oneRow(a, aFrom + i * lda, w, k, c[i], x);
            }
        }
    }

    private static void fourRows(float[] a, int a0, int lda, float[][] w, int k, float[] c0, float[] c1, float[] c2,
            float[] c3, int x) {
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        FloatVector s00 = FloatVector.fromArray(F, c0, x);
        FloatVector s01 = FloatVector.fromArray(F, c0, x + 8);
        FloatVector s02 = FloatVector.fromArray(F, c0, x + 16);
        FloatVector s10 = FloatVector.fromArray(F, c1, x);
        FloatVector s11 = FloatVector.fromArray(F, c1, x + 8);
        FloatVector s12 = FloatVector.fromArray(F, c1, x + 16);
        FloatVector s20 = FloatVector.fromArray(F, c2, x);
        FloatVector s21 = FloatVector.fromArray(F, c2, x + 8);
        FloatVector s22 = FloatVector.fromArray(F, c2, x + 16);
        FloatVector s30 = FloatVector.fromArray(F, c3, x);
        FloatVector s31 = FloatVector.fromArray(F, c3, x + 8);
        FloatVector s32 = FloatVector.fromArray(F, c3, x + 16);
        for (int p = 0; p < k; p++) {
            float[] row = w[p];
            FloatVector w0 = FloatVector.fromArray(F, row, x);
            FloatVector w1 = FloatVector.fromArray(F, row, x + 8);
            FloatVector w2 = FloatVector.fromArray(F, row, x + 16);
            FloatVector b = FloatVector.broadcast(F, a[a0 + p]);
            s00 = w0.fma(b, s00);
            s01 = w1.fma(b, s01);
            s02 = w2.fma(b, s02);
            b = FloatVector.broadcast(F, a[a1 + p]);
            s10 = w0.fma(b, s10);
            s11 = w1.fma(b, s11);
            s12 = w2.fma(b, s12);
            b = FloatVector.broadcast(F, a[a2 + p]);
            s20 = w0.fma(b, s20);
            s21 = w1.fma(b, s21);
            s22 = w2.fma(b, s22);
            b = FloatVector.broadcast(F, a[a3 + p]);
            s30 = w0.fma(b, s30);
            s31 = w1.fma(b, s31);
            s32 = w2.fma(b, s32);
        }
        s00.intoArray(c0, x);
        s01.intoArray(c0, x + 8);
        s02.intoArray(c0, x + 16);
        s10.intoArray(c1, x);
        s11.intoArray(c1, x + 8);
        s12.intoArray(c1, x + 16);
        s20.intoArray(c2, x);
        s21.intoArray(c2, x + 8);
        s22.intoArray(c2, x + 16);
        s30.intoArray(c3, x);
        s31.intoArray(c3, x + 8);
        s32.intoArray(c3, x + 16);
    }

    private static void oneRow(float[] a, int a0, float[][] w, int k, float[] c, int x) {
        FloatVector s0 = FloatVector.fromArray(F, c, x);
        FloatVector s1 = FloatVector.fromArray(F, c, x + 8);
        FloatVector s2 = FloatVector.fromArray(F, c, x + 16);
        for (int p = 0; p < k; p++) {
            float[] row = w[p];
            FloatVector b = FloatVector.broadcast(F, a[a0 + p]);
            s0 = FloatVector.fromArray(F, row, x).fma(b, s0);
            s1 = FloatVector.fromArray(F, row, x + 8).fma(b, s1);
            s2 = FloatVector.fromArray(F, row, x + 16).fma(b, s2);
        }
        s0.intoArray(c, x);
        s1.intoArray(c, x + 8);
        s2.intoArray(c, x + 16);
    }

    /**
     * c[cFrom + i*ldc + j] = a[i] . b[j] over len floats (a multiple of 8), i < m, j < nb: lane l sums
     * x = l, l + 8, ... in order, and the lanes are added ((0+1)+(2+3))+((4+5)+(6+7)). Tiles of 4
     * rows of a by 3 of b keep 12 sums in registers: 7 loads per 12 fused multiply-adds.
     */
    static void dots(float[][] a, int m, float[][] b, int nb, int len, float[] c, int cFrom, int ldc) {
        float[] lanes = new float[8];
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int j = 0;
            for (; j + 3 <= nb; j += 3) {
                dotTile(a[i], a[i + 1], a[i + 2], a[i + 3], b[j], b[j + 1], b[j + 2], len, c, cFrom + i * ldc + j, ldc,
                        lanes);
            }
            for (; j < nb; j++) {
                for (int r = i; r < i + 4; r++) {
                    c[cFrom + r * ldc + j] = dot(a[r], b[j], len, lanes);
                }
            }
        }
        for (; i < m; i++) {
            for (int j = 0; j < nb; j++) {
                c[cFrom + i * ldc + j] = dot(a[i], b[j], len, lanes);
            }
        }
    }

    private static void dotTile(float[] a0, float[] a1, float[] a2, float[] a3, float[] b0, float[] b1, float[] b2,
            int len, float[] c, int at, int ldc, float[] lanes) {
        FloatVector s00 = FloatVector.zero(F);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s20 = s00;
        FloatVector s21 = s00;
        FloatVector s22 = s00;
        FloatVector s30 = s00;
        FloatVector s31 = s00;
        FloatVector s32 = s00;
        for (int x = 0; x < len; x += 8) {
            FloatVector w0 = FloatVector.fromArray(F, b0, x);
            FloatVector w1 = FloatVector.fromArray(F, b1, x);
            FloatVector w2 = FloatVector.fromArray(F, b2, x);
            FloatVector v = FloatVector.fromArray(F, a0, x);
            s00 = v.fma(w0, s00);
            s01 = v.fma(w1, s01);
            s02 = v.fma(w2, s02);
            v = FloatVector.fromArray(F, a1, x);
            s10 = v.fma(w0, s10);
            s11 = v.fma(w1, s11);
            s12 = v.fma(w2, s12);
            v = FloatVector.fromArray(F, a2, x);
            s20 = v.fma(w0, s20);
            s21 = v.fma(w1, s21);
            s22 = v.fma(w2, s22);
            v = FloatVector.fromArray(F, a3, x);
            s30 = v.fma(w0, s30);
            s31 = v.fma(w1, s31);
            s32 = v.fma(w2, s32);
        }
        c[at] = lanes(s00, lanes);
        c[at + 1] = lanes(s01, lanes);
        c[at + 2] = lanes(s02, lanes);
        c[at + ldc] = lanes(s10, lanes);
        c[at + ldc + 1] = lanes(s11, lanes);
        c[at + ldc + 2] = lanes(s12, lanes);
        c[at + 2 * ldc] = lanes(s20, lanes);
        c[at + 2 * ldc + 1] = lanes(s21, lanes);
        c[at + 2 * ldc + 2] = lanes(s22, lanes);
        c[at + 3 * ldc] = lanes(s30, lanes);
        c[at + 3 * ldc + 1] = lanes(s31, lanes);
        c[at + 3 * ldc + 2] = lanes(s32, lanes);
    }

    private static float dot(float[] a, float[] b, int len, float[] lanes) {
        FloatVector s = FloatVector.zero(F);
        for (int x = 0; x < len; x += 8) {
            s = FloatVector.fromArray(F, a, x).fma(FloatVector.fromArray(F, b, x), s);
        }
        return lanes(s, lanes);
    }

    /** The eight lanes added in the fixed tree (reduceLanes leaves its order open). */
    private static float lanes(FloatVector s, float[] lanes) {
        s.intoArray(lanes, 0);
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}
