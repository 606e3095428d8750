package rnn.bench;

import rnn.engine.kernel.EngineThreads;

/**
 * Prints the float32 GFLOP/s of Nd4j.gemm on the decoder shape of the Penn Treebank small model,
 * (400x200)x(200x10000) into a preallocated output, median of 30: the peak that FLOP utilisation
 * figures are measured against. Argument: engine threads as for --threads (default 0 = one per core).
 */
public final class SgemmRate {
    private SgemmRate() {
    }

    public static void main(String[] args) {
        EngineThreads.configure(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.printf(java.util.Locale.ROOT, "%.1f%n", EngineBenchmark.gemmRate(400, 200, 10000, 30));
    }
}
