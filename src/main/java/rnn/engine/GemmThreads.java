package rnn.engine;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many OpenBLAS threads the engine's matrix products use. Only big products (the decoder's,
 * and the all-steps input projections and weight gradients) are worth a second thread; the
 * per-step recurrent products are too small to split, and ND4J's element-wise ops stay on one
 * thread (their OpenMP pool slowed the model down on two cores). Process-wide, like OpenBLAS's
 * own setting.
 */
public final class GemmThreads {
    /** Multiply-adds from which a product runs on all the configured threads. */
    static final long BIG_PRODUCT = 10_000_000L;

    private static volatile int configured = 1;
    private static int current = -1;

    private GemmThreads() {
    }

    /** Threads for big products from now on (at least 1). */
    public static void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("gemm threads must be at least 1, got " + threads);
        }
        configured = threads;
    }

    public static int configured() {
        return configured;
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
