package rnn.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReductionsTest {
    @Test
    void maxFindsTheLargestInEveryPartialAndTheRemainder() {
        // 19 elements: two rounds of the eight partial maxima and a remainder of 3; the largest is
        // put in each position in turn, so a lost partial or remainder fails.
        for (int at = 0; at < 19; at++) {
            float[] a = new float[21];
            for (int j = 0; j < a.length; j++) {
                a[j] = -5f - j;
            }
            a[at] = -0.5f;
            a[20] = 100f; // beyond the width: must not count
            assertEquals(-0.5f, Reductions.max(a, 19), "largest at " + at);
        }
        assertEquals(Float.NEGATIVE_INFINITY, Reductions.max(new float[] {1f}, 0));
    }

    @Test
    void maxSkipsNaNAndTheSumCarriesIt() {
        float[] a = {1f, Float.NaN, 3f, 2f};
        assertEquals(3f, Reductions.max(a, 4));
        assertEquals(Double.NaN, Reductions.sum(a, 4));
    }

    @Test
    void sumAddsEveryElementWithinTheWidth() {
        float[] a = new float[30];
        for (int j = 0; j < a.length; j++) {
            a[j] = j + 1; // 1 + ... + 27 = 378 within the width
        }
        assertEquals(378.0, Reductions.sum(a, 27));
        assertEquals(0.0, Reductions.sum(a, 0));
        // In double: 2^24 + 1 + 1 is exact, where a float sum would lose both ones.
        assertEquals(16_777_218.0, Reductions.sum(new float[] {16_777_216f, 1f, 1f}, 3));
    }
}
