package rnn.engine.kernel;

import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many threads the engine uses: OpenBLAS's threads for every matrix product, and row blocks
 * of the softmax. ND4J's element-wise ops stay on one thread (bin/rnn sets OMP_NUM_THREADS=1):
 * their OpenMP pool slowed the model down on two cores. Measured on the 2-core machine, two
 * threads helped even the small per-step products, and switching OpenBLAS between one and two
 * threads per product cost more than it saved. Process-wide, like OpenBLAS's own setting.
 */
public final class EngineThreads {
    private static volatile int configured = 1;

    private EngineThreads() {
    }

    /** Threads from now on (at least 1). */
    public static synchronized void set(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("engine threads must be at least 1, got " + threads);
        }
        Nd4j.factory().blas().setMaxThreads(threads);
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
     * Runs body(p) for every p in [0, parts) at once, on the caller and the common fork-join pool,
     * with every engine kernel inside on one thread, BLAS included; the setting is restored after.
     * For independent work items (stream segments being scored) this beats splitting each product
     * and softmax between threads: nothing waits on anything. Callers give each part its own
     * buffers (a model per part, see {@code LanguageModel.sharingParameters()}).
     */
    public static void inParallel(int parts, IntConsumer body) {
        // On one thread nothing changes the setting, so nothing is locked: callers that are
        // themselves parallel (rnn serve's requests, each on one core) do not wait for each other.
        if (parts <= 1 || configured <= 1) {
            for (int p = 0; p < parts; p++) {
                body.accept(p);
            }
            return;
        }
        synchronized (EngineThreads.class) {
            int before = configured;
            set(1);
            try {
                IntStream.range(0, parts).parallel().forEach(body);
            } finally {
                set(before);
            }
        }
    }

    /**
     * Runs body(from, to) over [0, n) in up to {@link #configured} contiguous parts on the caller
     * and the common fork-join pool, returning when all are done. Part boundaries fall on multiples
     * of {@code granule}, so work grouped in granules is grouped the same for any thread count.
     */
    public static void forRanges(int n, int granule, BiConsumer<Integer, Integer> body) {
        int granules = (n + granule - 1) / granule;
        int parts = Math.max(1, Math.min(configured, granules));
        if (parts == 1) {
            body.accept(0, n);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(p -> body.accept(
                Math.min(n, (int) ((long) granules * p / parts) * granule),
                Math.min(n, (int) ((long) granules * (p + 1) / parts) * granule)));
    }
}
