package rnn.text;

import rnn.InvalidConfigException;
import rnn.RnnException;

/**
 * The corpus as B parallel streams read in chunks, for stateful training with truncated BPTT
 * (Zaremba et al.; PyTorch word_language_model's {@code batchify} and {@code get_batch}).
 *
 * <p>With n tokens, each stream has L = n / B tokens (the remainder is dropped) and stream b is
 * {@code ids[b*L .. b*L+L)}. Chunk k covers stream positions j in
 * {@code [k*W, min(k*W+W, L-1))}: the inputs are the tokens at j, the targets those at j+1. So
 * there are ceil((L-1)/W) chunks, and the last may be shorter than W. For B = 4, W = 2 and the
 * ids 0..25:
 * <pre>
 *   stream 0: 0  1 | 2  3 | 4  5      chunk 0: inputs 0 6 12 18 / 1 7 13 19 (time-major)
 *   stream 1: 6  7 | 8  9 | 10 11              targets 1 7 13 19 / 2 8 14 20
 *   stream 2: 12 13| 14 15| 16 17     chunk 2: T = 1, inputs 4 10 16 22, targets 5 11 17 23
 *   stream 3: 18 19| 20 21| 22 23     (24 and 25 are dropped)
 * </pre>
 * The state left by chunk k in stream b carries over to chunk k+1 of the same stream.
 */
public final class StreamBatches {
    private final TokenSpan span;
    private final int batchSize;
    private final int window;
    private final long streamLength;
    private final int chunkCount;

    /**
     * @param batchSize B, the number of parallel streams ({@code --batch-size}, at least 1)
     * @param window    W, the longest chunk ({@code --window}, at least 1)
     */
    public StreamBatches(TokenSpan span, int batchSize, int window) {
        Windows.requirePositive(batchSize, "--batch-size");
        Windows.requirePositive(window, "--window");
        this.span = span;
        this.batchSize = batchSize;
        this.window = window;
        this.streamLength = span.length() / batchSize;
        long chunks = streamLength >= 2 ? (streamLength - 2) / window + 1 : 0;
        if (chunks > Integer.MAX_VALUE) {
            throw new InvalidConfigException(span.length() + " tokens make " + chunks + " chunks, more than "
                    + Integer.MAX_VALUE + "; use a larger --window or --batch-size");
        }
        this.chunkCount = (int) chunks;
    }

    public StreamBatches(int[] ids, int batchSize, int window) {
        this(TokenSpan.of(ids), batchSize, window);
    }

    public int batchSize() {
        return batchSize;
    }

    public int window() {
        return window;
    }

    /** L, the tokens in each stream. */
    public long streamLength() {
        return streamLength;
    }

    /** ceil((L-1)/W), or 0 when the streams are shorter than 2 tokens. */
    public int chunkCount() {
        return chunkCount;
    }

    /** T, the time steps of chunk {@code chunk}: W, except possibly for the last. */
    public int chunkLength(int chunk) {
        if (chunk < 0 || chunk >= chunkCount) {
            throw new IndexOutOfBoundsException("chunk " + chunk + " out of " + chunkCount);
        }
        return (int) Math.min(window, streamLength - 1 - (long) chunk * window);
    }

    /**
     * Writes chunk {@code chunk} into the caller's arrays in time-major layout,
     * {@code inputs[t*B + b]} and {@code targets[t*B + b]}, and returns its length T. Arrays of
     * W*B entries fit every chunk.
     */
    public int fill(int chunk, int[] inputs, int[] targets) {
        int steps = chunkLength(chunk);
        int cells = steps * batchSize;
        if (inputs.length < cells || targets.length < cells) {
            throw new IllegalArgumentException("arrays too small for " + steps + " steps of " + batchSize
                    + " streams: inputs " + inputs.length + ", targets " + targets.length);
        }
        TokenIds ids = span.ids();
        for (int b = 0; b < batchSize; b++) {
            long position = span.from() + b * streamLength + (long) chunk * window;
            for (int t = 0; t < steps; t++) {
                inputs[t * batchSize + b] = ids.get(position + t);
                targets[t * batchSize + b] = ids.get(position + t + 1);
            }
        }
        return steps;
    }

    /**
     * Returns this, or throws if there is no chunk at all.
     *
     * @param description the text, as messages should name it (e.g. "corpus.txt")
     */
    public StreamBatches requireNonEmpty(String description) {
        if (chunkCount == 0) {
            throw new RnnException(description + " has " + span.length() + " tokens; " + batchSize
                    + " streams (--batch-size) need at least " + 2L * batchSize + ", 2 a stream");
        }
        return this;
    }
}
