package rnn.text;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An order in which to visit windows 0..n-1, computed index by index in constant memory: the
 * identity, or a seeded pseudo-random permutation. A shuffled order of stride-1 windows over a
 * large corpus would otherwise be an int per window (80 MB for 20M windows).
 */
public abstract sealed class WindowOrder {
    private final long size;

    private WindowOrder(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        this.size = size;
    }

    /** 0, 1, ..., n-1. */
    public static WindowOrder identity(long n) {
        return new Identity(n);
    }

    /**
     * A random order of 0..n-1 that depends only on (n, seed, epoch): a resumed run shuffles epoch
     * e exactly as an uninterrupted one would, without replaying earlier epochs' shuffles.
     */
    public static WindowOrder shuffled(long n, long seed, int epoch) {
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

    public final long size() {
        return size;
    }

    /** The window visited i-th. */
    public final long at(long i) {
        Objects.checkIndex(i, size);
        return map(i);
    }

    abstract long map(long i);

    private static final class Identity extends WindowOrder {
        Identity(long n) {
            super(n);
        }

        @Override
        long map(long i) {
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
        long map(long i) {
            return windows[(int) i];
        }
    }

    /**
     * A keyed 4-round Feistel permutation of [0, 4^h), the smallest such range holding n, walked
     * until it lands below n (cycle walking keeps it a permutation of 0..n-1; at most 4 tries
     * expected). Four rounds with independent keys make a pseudo-random permutation (Luby-Rackoff).
     * In longs, so more than 2^31 windows shuffle too; up to 2^30 windows the order is that of the
     * former int arithmetic, whose values all stayed below 2^30.
     */
    private static final class Feistel extends WindowOrder {
        private static final int ROUNDS = 4;
        private final int halfBits;
        private final long mask;
        private final long[] keys = new long[ROUNDS];

        Feistel(long n, SplittableRandom random) {
            super(n);
            int bits = 64 - Long.numberOfLeadingZeros(n - 1);
            halfBits = Math.max(1, (bits + 1) / 2);
            mask = (1L << halfBits) - 1;
            for (int k = 0; k < ROUNDS; k++) {
                keys[k] = random.nextLong();
            }
        }

        @Override
        long map(long i) {
            long x = i;
            do {
                x = encrypt(x);
            } while (x >= size());
            return x;
        }

        private long encrypt(long x) {
            long left = x >>> halfBits;
            long right = x & mask;
            for (long key : keys) {
                long mixed = left ^ (mix(key ^ right) & mask);
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
