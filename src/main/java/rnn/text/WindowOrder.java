package rnn.text;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An order in which to visit windows 0..n-1, computed index by index in constant memory: the
 * identity, or a seeded pseudo-random permutation. A shuffled order of stride-1 windows over a
 * large corpus would otherwise be an int per window (80 MB for 20M windows).
 */
public abstract sealed class WindowOrder {
    private final int size;

    private WindowOrder(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        this.size = size;
    }

    /** 0, 1, ..., n-1. */
    public static WindowOrder identity(int n) {
        return new Identity(n);
    }

    /**
     * A random order of 0..n-1 that depends only on (n, seed, epoch): a resumed run shuffles epoch
     * e exactly as an uninterrupted one would, without replaying earlier epochs' shuffles.
     */
    public static WindowOrder shuffled(int n, long seed, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch " + epoch);
        }
        // Epoch e's keys come from the e-th output of a generator seeded with `seed`.
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int e = 0; e < epoch; e++) {
            seeds.nextLong();
        }
        return n < 2 ? new Identity(n) : new Feistel(n, new SplittableRandom(seeds.nextLong()));
    }

    /** The given windows in the given order (tests; O(n) memory). */
    static WindowOrder of(int... windows) {
        return new Explicit(windows.clone());
    }

    public final int size() {
        return size;
    }

    /** The window visited i-th. */
    public final int at(int i) {
        Objects.checkIndex(i, size);
        return map(i);
    }

    abstract int map(int i);

    private static final class Identity extends WindowOrder {
        Identity(int n) {
            super(n);
        }

        @Override
        int map(int i) {
            return i;
        }
    }

    private static final class Explicit extends WindowOrder {
        private final int[] windows;

        Explicit(int[] windows) {
            super(windows.length);
            this.windows = windows;
        }

        @Override
        int map(int i) {
            return windows[i];
        }
    }

    /**
     * A keyed 4-round Feistel permutation of [0, 4^h), the smallest such range holding n, walked
     * until it lands below n (cycle walking keeps it a permutation of 0..n-1; at most 4 tries
     * expected). Four rounds with independent keys make a pseudo-random permutation (Luby-Rackoff).
     */
    private static final class Feistel extends WindowOrder {
        private static final int ROUNDS = 4;
        private final int halfBits;
        private final int mask;
        private final long[] keys = new long[ROUNDS];

        Feistel(int n, SplittableRandom random) {
            super(n);
            int bits = 32 - Integer.numberOfLeadingZeros(n - 1);
            halfBits = Math.max(1, (bits + 1) / 2);
            mask = (1 << halfBits) - 1;
            for (int k = 0; k < ROUNDS; k++) {
                keys[k] = random.nextLong();
            }
        }

        @Override
        int map(int i) {
            int x = i;
            do {
                x = encrypt(x);
            } while (x >= size());
            return x;
        }

        private int encrypt(int x) {
            int left = x >>> halfBits;
            int right = x & mask;
            for (long key : keys) {
                int mixed = left ^ (int) (mix(key ^ right) & mask);
                left = right;
                right = mixed;
            }
            return (left << halfBits) | right;
        }

        /** MurmurHash3's 64-bit finalizer. */
        private static long mix(long z) {
            z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
            z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
            return z ^ (z >>> 33);
        }
    }
}
