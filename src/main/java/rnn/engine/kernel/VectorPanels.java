package rnn.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PanelWeights}' kernel in the JDK's incubating vector API: loaded only when the module
 * is present. A tile of 4 rows by one panel of 24 columns keeps its 12 eight-float sums in
 * registers for the whole of K: per p, three loads of w and four broadcasts of a feed twelve
 * fused multiply-adds (AVX2 has 16 registers: 12 sums, 3 of w, 1 broadcast).
 */
final class VectorPanels {
    static final int WIDTH = 24;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private VectorPanels() {
    }

    /** True if 8-float vectors are native here (AVX2 or better), not emulated. */
    static boolean supported() {
        return FloatVector.SPECIES_PREFERRED.length() >= 8;
    }

    /** c[cFrom + i*ldc + x] += sum over p (in order) of a[aFrom + i*lda + p] * panel[p*24 + x], i < m, x < 24. */
    static void multiplyAdd(float[] a, int aFrom, int lda, int m, float[] panel, int k, float[] c, int cFrom, int ldc) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            fourRows(a, aFrom + i * lda, lda, panel, k, c, cFrom + i * ldc, ldc);
        }
        for (; i < m; i++) {
            oneRow(a, aFrom + i * lda, panel, k, c, cFrom + i * ldc);
        }
    }

    private static void fourRows(float[] a, int a0, int lda, float[] panel, int k, float[] c, int c0, int ldc) {
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0);
        FloatVector s01 = FloatVector.fromArray(S, c, c0 + 8);
        FloatVector s02 = FloatVector.fromArray(S, c, c0 + 16);
        FloatVector s10 = FloatVector.fromArray(S, c, c1);
        FloatVector s11 = FloatVector.fromArray(S, c, c1 + 8);
        FloatVector s12 = FloatVector.fromArray(S, c, c1 + 16);
        FloatVector s20 = FloatVector.fromArray(S, c, c2);
        FloatVector s21 = FloatVector.fromArray(S, c, c2 + 8);
        FloatVector s22 = FloatVector.fromArray(S, c, c2 + 16);
        FloatVector s30 = FloatVector.fromArray(S, c, c3);
        FloatVector s31 = FloatVector.fromArray(S, c, c3 + 8);
        FloatVector s32 = FloatVector.fromArray(S, c, c3 + 16);
        for (int p = 0; p < k; p++) {
            int at = p * WIDTH;
            FloatVector w0 = FloatVector.fromArray(S, panel, at);
            FloatVector w1 = FloatVector.fromArray(S, panel, at + 8);
            FloatVector w2 = FloatVector.fromArray(S, panel, at + 16);
            FloatVector b = FloatVector.broadcast(S, a[a0 + p]);
            s00 = w0.fma(b, s00);
            s01 = w1.fma(b, s01);
            s02 = w2.fma(b, s02);
            b = FloatVector.broadcast(S, a[a1 + p]);
            s10 = w0.fma(b, s10);
            s11 = w1.fma(b, s11);
            s12 = w2.fma(b, s12);
            b = FloatVector.broadcast(S, a[a2 + p]);
            s20 = w0.fma(b, s20);
            s21 = w1.fma(b, s21);
            s22 = w2.fma(b, s22);
            b = FloatVector.broadcast(S, a[a3 + p]);
            s30 = w0.fma(b, s30);
            s31 = w1.fma(b, s31);
            s32 = w2.fma(b, s32);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + 8);
        s02.intoArray(c, c0 + 16);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + 8);
        s12.intoArray(c, c1 + 16);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + 8);
        s22.intoArray(c, c2 + 16);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + 8);
        s32.intoArray(c, c3 + 16);
    }

    private static void oneRow(float[] a, int a0, float[] panel, int k, float[] c, int c0) {
        FloatVector s0 = FloatVector.fromArray(S, c, c0);
        FloatVector s1 = FloatVector.fromArray(S, c, c0 + 8);
        FloatVector s2 = FloatVector.fromArray(S, c, c0 + 16);
        for (int p = 0; p < k; p++) {
            int at = p * WIDTH;
            FloatVector b = FloatVector.broadcast(S, a[a0 + p]);
            s0 = FloatVector.fromArray(S, panel, at).fma(b, s0);
            s1 = FloatVector.fromArray(S, panel, at + 8).fma(b, s1);
            s2 = FloatVector.fromArray(S, panel, at + 16).fma(b, s2);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + 8);
        s2.intoArray(c, c0 + 16);
    }
}
