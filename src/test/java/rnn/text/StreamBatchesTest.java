package rnn.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import rnn.InvalidConfigException;
import rnn.RnnException;

class StreamBatchesTest {
    @Test
    void goldenLayoutOnATinyCorpus() {
        StreamBatches batches = new StreamBatches(java.util.stream.IntStream.range(0, 26).toArray(), 4, 2);
        assertEquals(6, batches.streamLength());
        assertEquals(3, batches.chunkCount());
        int[] inputs = new int[8];
        int[] targets = new int[8];

        assertEquals(2, batches.fill(0, inputs, targets));
        assertArrayEquals(new int[] {0, 6, 12, 18, 1, 7, 13, 19}, inputs);
        assertArrayEquals(new int[] {1, 7, 13, 19, 2, 8, 14, 20}, targets);

        assertEquals(2, batches.fill(1, inputs, targets));
        assertArrayEquals(new int[] {2, 8, 14, 20, 3, 9, 15, 21}, inputs);
        assertArrayEquals(new int[] {3, 9, 15, 21, 4, 10, 16, 22}, targets);

        assertEquals(1, batches.fill(2, inputs, targets));
        assertArrayEquals(new int[] {4, 10, 16, 22}, Arrays.copyOf(inputs, 4));
        assertArrayEquals(new int[] {5, 11, 17, 23}, Arrays.copyOf(targets, 4));
        assertEquals(1, batches.chunkLength(2));
    }

    @Test
    void matchesPyTorchGetBatchForEveryChunk() {
        // word_language_model: data = ids[:L*B].view(B, L).t(); chunk i*W: source[i:i+T], source[i+1:i+1+T].
        int[] ids = new int[103];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 37) % 101;
        }
        int streams = 5;
        int window = 7;
        StreamBatches batches = new StreamBatches(ids, streams, window);
        int length = ids.length / streams;
        assertEquals(20, length);
        assertEquals((length - 1 + window - 1) / window, batches.chunkCount());
        int[] inputs = new int[window * streams];
        int[] targets = new int[window * streams];
        int covered = 0;
        for (int k = 0; k < batches.chunkCount(); k++) {
            int i = k * window;
            int steps = Math.min(window, length - 1 - i);
            assertEquals(steps, batches.fill(k, inputs, targets));
            for (int t = 0; t < steps; t++) {
                for (int b = 0; b < streams; b++) {
                    assertEquals(ids[b * length + i + t], inputs[t * streams + b]);
                    assertEquals(ids[b * length + i + t + 1], targets[t * streams + b]);
                }
            }
            covered += steps;
        }
        assertEquals(length - 1, covered, "every position but the last is an input exactly once");
    }

    @Test
    void worksOnAValidationSpan() {
        Split split = Split.lastFraction(java.util.stream.IntStream.range(0, 20).toArray(), 0.5);
        StreamBatches batches = new StreamBatches(split.validation(), 2, 10);
        assertEquals(5, batches.streamLength());
        assertEquals(1, batches.chunkCount());
        int[] inputs = new int[20];
        int[] targets = new int[20];
        assertEquals(4, batches.fill(0, inputs, targets));
        assertArrayEquals(new int[] {10, 15, 11, 16, 12, 17, 13, 18}, Arrays.copyOf(inputs, 8));
        assertArrayEquals(new int[] {11, 16, 12, 17, 13, 18, 14, 19}, Arrays.copyOf(targets, 8));
    }

    @Test
    void tooFewTokensForOneChunk() {
        StreamBatches batches = new StreamBatches(java.util.stream.IntStream.range(0, 7).toArray(), 4, 3);
        assertEquals(1, batches.streamLength());
        assertEquals(0, batches.chunkCount());
        RnnException error = assertThrows(RnnException.class, () -> batches.requireNonEmpty("valid.txt"));
        assertEquals("valid.txt has 7 tokens; 4 streams (--batch-size) need at least 8, 2 a stream", error.getMessage());
        StreamBatches enough = new StreamBatches(java.util.stream.IntStream.range(0, 8).toArray(), 4, 3);
        assertEquals(1, enough.requireNonEmpty("x").chunkCount());
        assertEquals(1, enough.chunkLength(0));
    }

    @Test
    void badArgumentsAreRejected() {
        assertEquals("--batch-size must be at least 1, got 0",
                assertThrows(InvalidConfigException.class, () -> new StreamBatches(new int[9], 0, 2)).getMessage());
        assertEquals("--window must be at least 1, got 0",
                assertThrows(InvalidConfigException.class, () -> new StreamBatches(new int[9], 2, 0)).getMessage());
        StreamBatches batches = new StreamBatches(new int[9], 2, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> batches.fill(2, new int[4], new int[4]));
        assertThrows(IllegalArgumentException.class, () -> batches.fill(0, new int[3], new int[4]));
    }
}
