package rnn.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import rnn.InvalidConfigException;
import rnn.RnnException;

class WindowsTest {
    private static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    /** Window i as "inputs -> next", read one id at a time. */
    private static String describe(Windows windows, int index) {
        int[] inputs = new int[windows.window()];
        for (int t = 0; t < inputs.length; t++) {
            inputs[t] = windows.input(index, t);
        }
        return Arrays.toString(inputs) + " -> " + windows.next(index);
    }

    @Test
    void goldenTableStrideOne() {
        Windows windows = new Windows(range(10), 4, 1);
        assertEquals(6, windows.count());
        String[] expected = {
            "[0, 1, 2, 3] -> 4", "[1, 2, 3, 4] -> 5", "[2, 3, 4, 5] -> 6",
            "[3, 4, 5, 6] -> 7", "[4, 5, 6, 7] -> 8", "[5, 6, 7, 8] -> 9",
        };
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], describe(windows, i));
        }
    }

    @Test
    void goldenTableStrideThreeAndStrideBeyondWindow() {
        Windows three = new Windows(range(10), 4, 3);
        assertEquals(2, three.count());
        assertEquals("[0, 1, 2, 3] -> 4", describe(three, 0));
        assertEquals("[3, 4, 5, 6] -> 7", describe(three, 1));

        Windows sparse = new Windows(range(10), 2, 5);
        assertEquals(2, sparse.count());
        assertEquals("[0, 1] -> 2", describe(sparse, 0));
        assertEquals("[5, 6] -> 7", describe(sparse, 1));
        assertEquals(1, new Windows(range(10), 2, 8).count());
    }

    @Test
    void countEdges() {
        assertEquals(0, new Windows(range(3), 4, 1).count(), "shorter than the window");
        assertEquals(0, new Windows(range(4), 4, 1).count(), "no next token");
        assertEquals(1, new Windows(range(5), 4, 1).count(), "exactly W+1 tokens");
        assertEquals("[0, 1, 2, 3] -> 4", describe(new Windows(range(5), 4, 7), 0));
        assertEquals(0, new Windows(new int[0], 1, 1).count());
        assertEquals(9, new Windows(range(10), 1, 1).count());
    }

    @Test
    void fillWritesTimeMajorBatchesForLastAndAllPositions() {
        int[] ids = {10, 11, 12, 13, 14, 15, 16, 17};
        Windows windows = new Windows(ids, 3, 2); // starts 0, 2, 4
        assertEquals(3, windows.count());
        WindowOrder order = WindowOrder.of(2, 0, 1);
        int[] inputs = new int[6];
        int[] targets = new int[6];
        windows.fill(order, 0, 2, inputs, targets, true);
        // window 2 = 14 15 16 -> 17; window 0 = 10 11 12 -> 13
        assertArrayEquals(new int[] {14, 10, 15, 11, 16, 12}, inputs);
        assertArrayEquals(new int[] {17, 13}, Arrays.copyOf(targets, 2));

        windows.fill(order, 0, 2, inputs, targets, false);
        assertArrayEquals(new int[] {14, 10, 15, 11, 16, 12}, inputs);
        assertArrayEquals(new int[] {15, 11, 16, 12, 17, 13}, targets);

        // A last, smaller batch into the same arrays: B = 1 there.
        Arrays.fill(inputs, -1);
        windows.fill(order, 2, 1, inputs, targets, false);
        assertArrayEquals(new int[] {12, 13, 14, -1, -1, -1}, inputs);
        assertArrayEquals(new int[] {13, 14, 15}, Arrays.copyOf(targets, 3));
    }

    @Test
    void windowsOverASpanStayInsideIt() {
        int[] ids = range(12);
        Split split = Split.lastFraction(ids, 0.5); // train 0..5, validation 6..11
        Windows train = new Windows(split.train(), 3, 1);
        Windows validation = new Windows(split.validation(), 3, 1);
        assertEquals(3, train.count());
        assertEquals("[2, 3, 4] -> 5", describe(train, 2), "the last training target is still training data");
        assertEquals("[6, 7, 8] -> 9", describe(validation, 0));
        int[] inputs = new int[3];
        int[] targets = new int[3];
        validation.fill(WindowOrder.of(2), 0, 1, inputs, targets, false);
        assertArrayEquals(new int[] {8, 9, 10}, inputs);
        assertArrayEquals(new int[] {9, 10, 11}, targets);
    }

    @Test
    void badArgumentsAreRejected() {
        assertEquals("--window must be at least 1, got 0",
                assertThrows(InvalidConfigException.class, () -> new Windows(range(5), 0, 1)).getMessage());
        assertEquals("--stride must be at least 1, got -2",
                assertThrows(InvalidConfigException.class, () -> new Windows(range(5), 2, -2)).getMessage());
        Windows windows = new Windows(range(5), 2, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> windows.next(3));
        assertThrows(IndexOutOfBoundsException.class, () -> windows.input(0, 2));
        assertThrows(IndexOutOfBoundsException.class,
                () -> windows.fill(WindowOrder.of(3), 0, 1, new int[2], new int[2], false));
        assertThrows(IllegalArgumentException.class,
                () -> windows.fill(WindowOrder.of(0, 1), 1, 2, new int[4], new int[4], false));
        assertThrows(IllegalArgumentException.class,
                () -> windows.fill(WindowOrder.of(0, 1), 0, 2, new int[3], new int[4], false));
        assertThrows(IllegalArgumentException.class,
                () -> windows.fill(WindowOrder.of(0, 1), 0, 2, new int[4], new int[3], false));
    }

    @Test
    void requireNonEmptySaysHowManyTokensAreNeeded() {
        RnnException error = assertThrows(RnnException.class,
                () -> new Windows(range(3), 4, 1).requireNonEmpty("tiny.txt"));
        assertEquals("tiny.txt has 3 tokens; --window 4 needs at least 5 for one window", error.getMessage());
        Windows one = new Windows(range(5), 4, 1);
        assertEquals(one, one.requireNonEmpty("ok.txt"));
    }

    @Test
    void orderIsIdentityAndShuffleIsASeededPermutation() {
        Windows windows = new Windows(range(1000), 5, 1);
        assertArrayEquals(range(995), toArray(windows.order()));

        int[] first = toArray(WindowOrder.shuffled(995, 42, 0));
        assertArrayEquals(first, toArray(WindowOrder.shuffled(995, 42, 0)), "same seed and epoch, same order");
        int[] sorted = first.clone();
        Arrays.sort(sorted);
        assertArrayEquals(range(995), sorted, "a permutation");
        assertFalse(Arrays.equals(first, range(995)));
        assertFalse(Arrays.equals(first, toArray(WindowOrder.shuffled(995, 43, 0))));
        assertFalse(Arrays.equals(first, toArray(WindowOrder.shuffled(995, 42, 1))));
        assertArrayEquals(new int[0], toArray(WindowOrder.shuffled(0, 1, 0)));
        assertArrayEquals(new int[] {0}, toArray(WindowOrder.shuffled(1, 1, 5)));
        assertThrows(IndexOutOfBoundsException.class, () -> WindowOrder.shuffled(10, 1, 0).at(10));
    }

    @Test
    void shuffledOrdersArePermutationsOfEverySize() {
        for (int n = 2; n <= 300; n++) {
            for (long seed = 0; seed < 3; seed++) {
                int[] sorted = toArray(WindowOrder.shuffled(n, seed, 1));
                Arrays.sort(sorted);
                assertArrayEquals(range(n), sorted, "n " + n + ", seed " + seed);
            }
        }
    }

    @Test
    void aShuffledOrderOfManyWindowsNeedsNoTableAndLooksRandom() {
        int n = 3_000_001;
        WindowOrder order = WindowOrder.shuffled(n, 7, 2);
        java.util.BitSet seen = new java.util.BitSet(n);
        long displacement = 0;
        int fixedPoints = 0;
        int ascents = 0;
        int previous = -1;
        for (int i = 0; i < n; i++) {
            int w = (int) order.at(i);
            assertFalse(seen.get(w), "window " + w + " twice");
            seen.set(w);
            displacement += Math.abs(w - i);
            fixedPoints += w == i ? 1 : 0;
            ascents += w > previous ? 1 : 0;
            previous = w;
        }
        assertEquals(n, seen.cardinality());
        // A uniform random permutation: mean |w - i| is n/3, about one fixed point, half the steps ascents.
        assertEquals(n / 3.0, (double) displacement / n, 0.01 * n);
        assertTrue(fixedPoints < 20, fixedPoints + " fixed points");
        assertEquals(0.5, (double) ascents / n, 0.01);
    }

    private static int[] toArray(WindowOrder order) {
        int[] values = new int[(int) order.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (int) order.at(i);
        }
        return values;
    }
}
