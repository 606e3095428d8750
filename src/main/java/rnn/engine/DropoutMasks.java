package rnn.engine;

import java.util.SplittableRandom;

/** Inverted-dropout masks drawn on the host: each entry 0 with probability p, else 1/(1-p). */
final class DropoutMasks {
    private DropoutMasks() {
    }

    /**
     * Fills m[0, n) with a mask of rate {@code rate}. With {@code block} < n, only the first block
     * entries are drawn and then repeated (n a multiple of block): for locked dropout over
     * time-major rows, block is one step's [B, width], so each sequence keeps the same units at
     * every step. Entries are drawn in order, so a standard mask is the same draws as before locked
     * masks existed.
     */
    static void fill(double[] m, int n, int block, double rate, SplittableRandom random) {
        if (n % block != 0) {
            throw new IllegalArgumentException("a mask of " + n + " entries cannot repeat a block of " + block);
        }
        double kept = 1.0 / (1.0 - rate);
        for (int i = 0; i < block; i++) {
            m[i] = random.nextDouble() < rate ? 0.0 : kept;
        }
        for (int i = block; i < n; i += block) {
            System.arraycopy(m, 0, m, i, block);
        }
    }
}
