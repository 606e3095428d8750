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

    @Test
    void bothMaximaAgreeOverOffsetRanges() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        float[] a = new float[200];
        for (int j = 0; j < a.length; j++) {
            a[j] = (float) (random.nextDouble() * 100 - 50);
        }
        a[77] = Float.NaN;
        for (int from : new int[] {0, 1, 13}) {
            for (int width : new int[] {0, 1, 7, 8, 9, 64, 150}) {
                float plain = Reductions.max(a, from, width, false);
                float expected = Float.NEGATIVE_INFINITY;
                for (int j = from; j < from + width; j++) {
                    expected = a[j] > expected ? a[j] : expected;
                }
                assertEquals(expected, plain, "plain from " + from + " width " + width);
                assertEquals(plain, Reductions.max(a, from, width, true), "vector from " + from + " width " + width);
            }
        }
        // The sum of an offset range is the same as of a copy starting at 0.
        float[] part = java.util.Arrays.copyOfRange(a, 90, 190);
        assertEquals(Reductions.sum(part, 100), Reductions.sum(a, 90, 100));
    }
}
