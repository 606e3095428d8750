package rnn.text;

import java.util.SplittableRandom;

/** Seeded orders of window indices, so a run with the same seed visits windows in the same order. */
public final class Shuffle {
    private Shuffle() {
    }

    /** 0, 1, ..., n-1. */
    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Fisher-Yates shuffle in place: every order equally likely. */
    public static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }

    /**
     * A random order of 0..n-1 that depends only on (n, seed, epoch): a resumed run shuffles
     * epoch e exactly as an uninterrupted one would, without replaying earlier epochs' shuffles.
     */
    public static int[] permutation(int n, long seed, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch " + epoch);
        }
        // Epoch e's generator is seeded with the e-th output of a generator seeded with `seed`.
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int e = 0; e < epoch; e++) {
            seeds.nextLong();
        }
        int[] order = identity(n);
        shuffle(order, new SplittableRandom(seeds.nextLong()));
        return order;
    }
}
