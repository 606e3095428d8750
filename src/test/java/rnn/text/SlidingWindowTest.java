package rnn.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import rnn.InvalidConfigException;

class SlidingWindowTest {
    /** The windows SlidingWindow emits for tokens "0".."n-1", as "inputs -> next". */
    private static List<String> stream(int n, int window, int stride) {
        SlidingWindow sliding = new SlidingWindow(window, stride);
        List<String> windows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (sliding.push(Integer.toString(i))) {
                List<String> inputs = new ArrayList<>();
                for (int t = 0; t < window; t++) {
                    inputs.add(sliding.input(t));
                }
                windows.add(inputs + " -> " + sliding.next());
            }
        }
        assertEquals(windows.size(), sliding.windowCount());
        assertEquals(n, sliding.tokenCount());
        return windows;
    }

    /** The same, from the array-based Windows. */
    private static List<String> batch(int n, int window, int stride) {
        Windows windows = new Windows(java.util.stream.IntStream.range(0, n).toArray(), window, stride);
        List<String> described = new ArrayList<>();
        for (int i = 0; i < windows.count(); i++) {
            List<String> inputs = new ArrayList<>();
            for (int t = 0; t < window; t++) {
                inputs.add(Integer.toString(windows.input(i, t)));
            }
            described.add(inputs + " -> " + windows.next(i));
        }
        return described;
    }

    @Test
    void emitsExactlyTheWindowsOfTheArrayVersion() {
        for (int n = 0; n <= 12; n++) {
            for (int window = 1; window <= 5; window++) {
                for (int stride = 1; stride <= 7; stride++) {
                    assertEquals(batch(n, window, stride), stream(n, window, stride),
                            "n=" + n + " W=" + window + " S=" + stride);
                }
            }
        }
    }

    /** Windows longer than the ring's first size: it grows while the first window fills, then wraps as before. */
    @Test
    void windowsLargerThanTheInitialRing() {
        for (int window : new int[] {1023, 1024, 1025, 3000}) {
            for (int stride : new int[] {1, 7, 4000}) {
                assertEquals(batch(3100, window, stride), stream(3100, window, stride), "W=" + window + " S=" + stride);
            }
        }
    }

    @Test
    void golden() {
        assertEquals(List.of("[0, 1] -> 2", "[3, 4] -> 5"), stream(7, 2, 3));
        assertEquals(List.of(), stream(2, 2, 1));
    }

    @Test
    void validatesOptions() {
        assertThrows(InvalidConfigException.class, () -> new SlidingWindow(0, 1));
        assertThrows(InvalidConfigException.class, () -> new SlidingWindow(1, 0));
        SlidingWindow sliding = new SlidingWindow(2, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> sliding.input(2));
    }
}
