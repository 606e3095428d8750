package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Sampling rules on hand-made logits; every run is seeded, so the counts are fixed. */
class SamplerTest {
    /** id 0 is <unk>, far the most likely; then 1 > 2 > 3: p(1..3) = 0.665, 0.245, 0.090 among themselves. */
    private static final double[] LOGITS = {9.0, 2.0, 1.0, 0.0};

    @Test
    void greedyTakesTheArgmaxButNeverUnk() {
        assertEquals(1, new Sampler(0, null, null, 1).next(LOGITS));
        assertEquals(2, Sampler.argmax(new double[] {5, 1, 3, 3}), "ties go to the lower id");
    }

    @Test
    void samplingNeverDrawsUnk() {
        int[] counts = draw(new Sampler(1.0, null, null, 7), 2000);
        assertEquals(0, counts[0]);
        assertTrue(counts[1] > counts[2] && counts[2] > counts[3] && counts[3] > 0, Arrays.toString(counts));
    }

    @Test
    void topKOneAndATinyTopPAreGreedy() {
        assertEquals(2000, draw(new Sampler(1.0, 1, null, 3), 2000)[1]);
        assertEquals(2000, draw(new Sampler(5.0, null, 1e-6, 3), 2000)[1]);
    }

    @Test
    void topKAndTopPCutTheTail() {
        int[] topTwo = draw(new Sampler(1.0, 2, null, 5), 2000);
        assertEquals(0, topTwo[3], Arrays.toString(topTwo));
        assertTrue(topTwo[2] > 0);
        // cumulative 0.665 after id 1, 0.910 after id 2: P = 0.8 keeps ids 1 and 2
        int[] nucleus = draw(new Sampler(1.0, null, 0.8, 5), 2000);
        assertEquals(0, nucleus[3], Arrays.toString(nucleus));
        assertTrue(nucleus[2] > 0);
        assertTrue(draw(new Sampler(1.0, null, 1.0, 5), 2000)[3] > 0, "P = 1 keeps everything");
    }

    @Test
    void aHighTemperatureFlattensTheDistribution() {
        int[] cold = draw(new Sampler(0.5, null, null, 11), 2000);
        int[] hot = draw(new Sampler(5.0, null, null, 11), 2000);
        assertTrue(hot[3] > cold[3] * 3, Arrays.toString(cold) + " vs " + Arrays.toString(hot));
    }

    @Test
    void theSeedFixesTheDraws() {
        int[] a = sequence(new Sampler(1.0, null, null, 42));
        assertEquals(Arrays.toString(a), Arrays.toString(sequence(new Sampler(1.0, null, null, 42))));
        assertNotEquals(Arrays.toString(a), Arrays.toString(sequence(new Sampler(1.0, null, null, 43))));
    }

    private static int[] draw(Sampler sampler, int n) {
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < n; i++) {
            counts[sampler.next(LOGITS)]++;
        }
        return counts;
    }

    private static int[] sequence(Sampler sampler) {
        int[] ids = new int[40];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = sampler.next(LOGITS);
        }
        return ids;
    }
}
