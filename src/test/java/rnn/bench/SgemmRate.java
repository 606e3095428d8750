package rnn.bench;

/**
 * Prints the float32 GFLOP/s of Nd4j.gemm on the decoder shape of the Penn Treebank small model,
 * (400x200)x(200x10000) into a preallocated output, median of 30: the peak that FLOP utilisation
 * figures are measured against.
 */
public final class SgemmRate {
    private SgemmRate() {
    }

    public static void main(String[] args) {
        System.out.printf(java.util.Locale.ROOT, "%.1f%n", EngineBenchmark.gemmRate(400, 200, 10000, 30));
    }
}
