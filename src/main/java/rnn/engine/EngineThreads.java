package rnn.engine;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many threads the engine's big work uses: OpenBLAS threads for big matrix products (the
 * decoder's, and the all-steps input projections and weight gradients) and row blocks of the
 * softmax. The per-step recurrent products and gate maths are too small to split, and ND4J's
 * element-wise ops stay on one thread (their OpenMP pool slowed the model down on two cores).
 * Process-wide, like OpenBLAS's own setting.
 */
public final class EngineThreads {
    /** Multiply-adds from which a product runs on all the configured threads. */
    static final long BIG_PRODUCT = 10_000_000L;

    private static volatile int configured = 1;
    private static int current = -1;

    private EngineThreads() {
    }

    /** Threads for big work from now on (at least 1). */
    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("engine threads must be at least 1, got " + threads);
        }
        configured = threads;
    }

    /** --threads N: N threads, or one per available core for 0. */
    public static void configure(int requested) {
        set(requested > 0 ? requested : Runtime.getRuntime().availableProcessors());
    }

    public static int configured() {
        return configured;
    }

    /**
     * Runs body(from, to) over [0, n) in up to {@link #configured} contiguous parts, at least
     * {@code minPart} long, on the caller and the common fork-join pool; returns when all are done.
     */
    public static void forRanges(int n, int minPart, java.util.function.BiConsumer<Integer, Integer> body) {
        int parts = Math.max(1, Math.min(configured, n / Math.max(1, minPart)));
        if (parts == 1) {
            body.accept(0, n);
            return;
        }
        java.util.stream.IntStream.range(0, parts).parallel()
                .forEach(p -> body.accept((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    static int forProduct(long multiplyAdds) {
        return multiplyAdds >= BIG_PRODUCT ? configured : 1;
    }

    /** Switches OpenBLAS to {@code threads} if it is not already there (a cheap global store). */
    static synchronized void use(int threads) {
        if (threads != current) {
            Nd4j.factory().blas().setMaxThreads(threads);
            current = threads;
        }
    }
}
