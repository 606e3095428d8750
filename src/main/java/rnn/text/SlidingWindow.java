package rnn.text;

import rnn.RnnException;

/**
 * The windows of a token stream as it goes past, keeping only the last W+1 tokens: the streaming
 * twin of {@link Windows}, emitting the same windows in the same order (window i has the tokens
 * at positions {@code i*S .. i*S+W-1} as inputs and the token at {@code i*S+W} as next).
 */
public final class SlidingWindow {
    private final int window;
    private final int stride;
    /** The last W+1 tokens once there are that many; until then it grows with the text, so a huge --window costs only what the text fills. */
    private String[] ring;
    private long pushed;
    private long completed;
    private static final int INITIAL_CAPACITY = 1024;
    /** The largest array a JVM reliably allocates. */
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    /**
     * @param window W ({@code --window}, at least 1)
     * @param stride S ({@code --stride}, at least 1)
     */
    public SlidingWindow(int window, int stride) {
        Windows.requirePositive(window, "--window");
        Windows.requirePositive(stride, "--stride");
        this.window = window;
        this.stride = stride;
        this.ring = new String[(int) Math.min(window + 1L, INITIAL_CAPACITY)];
    }

    /** Adds the next token; returns true when it completes a window, which {@link #input}/{@link #next} then show. */
    public boolean push(String token) {
        if (pushed == ring.length && ring.length < window + 1L) {
            grow(); // still filling the first window: nothing has wrapped around yet
        }
        ring[(int) (pushed % ring.length)] = token;
        pushed++;
        boolean ready = pushed > window && (pushed - 1 - window) % stride == 0;
        if (ready) {
            completed++;
        }
        return ready;
    }

    private void grow() {
        if (ring.length == MAX_CAPACITY) {
            throw new RnnException("--window " + window + ": more tokens than one window can hold in memory ("
                    + MAX_CAPACITY + ")");
        }
        ring = java.util.Arrays.copyOf(ring, (int) Math.min(Math.min(2L * ring.length, window + 1L), MAX_CAPACITY));
    }

    /** Input {@code t} (0 ≤ t < W) of the window just completed. */
    public String input(int t) {
        if (t < 0 || t >= window) {
            throw new IndexOutOfBoundsException("position " + t + " outside a window of " + window);
        }
        return ring[(int) ((pushed - 1 - window + t) % ring.length)];
    }

    /** The token after the window just completed. */
    public String next() {
        return ring[(int) ((pushed - 1) % ring.length)];
    }

    public int window() {
        return window;
    }

    /** Tokens pushed so far. */
    public long tokenCount() {
        return pushed;
    }

    /** Windows completed so far. */
    public long windowCount() {
        return completed;
    }
}
