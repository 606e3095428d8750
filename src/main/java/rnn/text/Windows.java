package rnn.text;

import rnn.InvalidConfigException;
import rnn.RnnException;

/**
 * Fixed-length training windows over a span of token ids, as Keras next-word tutorials cut them:
 * window {@code i} has the inputs {@code ids[i*S .. i*S+W)} and the next token
 * {@code ids[i*S+W]}, for window length W and stride S (which may exceed W). There are
 * {@code (n-W-1)/S + 1} windows when {@code n >= W+1} tokens, otherwise none.
 *
 * <p>Nothing is copied: {@link #fill} writes a batch of windows, on demand, into arrays the
 * caller owns, so no W-fold copy of the corpus (nor any one-hot array) ever exists.
 */
public final class Windows {
    private final TokenSpan span;
    private final int window;
    private final int stride;
    private final long count;

    /**
     * @param window W, the inputs per window ({@code --window}, at least 1)
     * @param stride S, the step between window starts ({@code --stride}, at least 1)
     */
    public Windows(TokenSpan span, int window, int stride) {
        requirePositive(window, "--window");
        requirePositive(stride, "--stride");
        this.span = span;
        this.window = window;
        this.stride = stride;
        long n = span.length();
        this.count = n >= window + 1L ? (n - window - 1) / stride + 1 : 0;
    }

    public Windows(int[] ids, int window, int stride) {
        this(TokenSpan.of(ids), window, stride);
    }

    /** Number of windows. */
    public long count() {
        return count;
    }

    public int window() {
        return window;
    }

    public int stride() {
        return stride;
    }

    public TokenSpan span() {
        return span;
    }

    /** Input {@code t} (0 ≤ t < W) of window {@code index}. */
    public int input(long index, int t) {
        checkWindow(index);
        if (t < 0 || t >= window) {
            throw new IndexOutOfBoundsException("position " + t + " outside a window of " + window);
        }
        return span.ids().get(start(index) + t);
    }

    /** The token that follows window {@code index}: what a model should predict from it. */
    public int next(long index) {
        checkWindow(index);
        return span.ids().get(start(index) + window);
    }

    /** The windows in corpus order, 0..count-1; {@link WindowOrder#shuffled} gives a random one. */
    public WindowOrder order() {
        return WindowOrder.identity(count);
    }

    /**
     * Writes the windows {@code order.at(from .. from+B)}, B = {@code batchSize}, into the
     * caller's arrays in time-major layout: {@code inputs[t*B + b]} is input t of the b-th window.
     * With {@code lastOnly}, {@code targets[b]} is the token after window b (Keras: predict once
     * per window); otherwise {@code targets[t*B + b]} is the token after input t, i.e. the window
     * shifted by one (predict at every position). Arrays may be longer than needed (a last, smaller
     * batch reuses the full-size arrays); only the first W*B (or B) entries are written.
     */
    public void fill(WindowOrder order, long from, int batchSize, int[] inputs, int[] targets, boolean lastOnly) {
        if (batchSize < 1 || from < 0 || from > order.size() - batchSize) {
            throw new IllegalArgumentException("windows " + from + ".." + ((long) from + batchSize)
                    + " are not within the " + order.size() + " indices given");
        }
        int cells = Math.multiplyExact(window, batchSize);
        if (inputs.length < cells || targets.length < (lastOnly ? batchSize : cells)) {
            throw new IllegalArgumentException("arrays too small for " + batchSize + " windows of " + window
                    + ": inputs " + inputs.length + ", targets " + targets.length);
        }
        TokenIds ids = span.ids();
        for (int b = 0; b < batchSize; b++) {
            long start = start(checkWindow(order.at(from + b)));
            for (int t = 0; t < window; t++) {
                inputs[t * batchSize + b] = ids.get(start + t);
            }
            if (lastOnly) {
                targets[b] = ids.get(start + window);
            } else {
                for (int t = 0; t < window; t++) {
                    targets[t * batchSize + b] = ids.get(start + t + 1);
                }
            }
        }
    }

    /**
     * Returns this, or throws if there is no window at all.
     *
     * @param description the text, as messages should name it (e.g. "corpus.txt")
     */
    public Windows requireNonEmpty(String description) {
        if (count == 0) {
            throw new RnnException(description + " has " + span.length() + " tokens; --window " + window
                    + " needs at least " + (window + 1L) + " for one window");
        }
        return this;
    }

    /** Position in the span's ids of window {@code index}'s first input. */
    private long start(long index) {
        return span.from() + index * stride;
    }

    private long checkWindow(long index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("window " + index + " out of " + count);
        }
        return index;
    }

    static void requirePositive(int value, String option) {
        if (value < 1) {
            throw new InvalidConfigException(option + " must be at least 1, got " + value);
        }
    }
}
