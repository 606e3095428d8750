package rnn.engine.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.HostCopy;

/**
 * Runs an element-wise update over same-shaped whole arrays (parameter, state buffers, gradient)
 * as one Java loop per chunk: each array is read once and written at most once, where a chain
 * of in-place ND4J ops passes over memory once per op (7 to 10 passes for RMSprop and Adam).
 * Arithmetic is in double whatever the arrays' type. Not thread-safe.
 */
final class ChunkedUpdate {
    private static final int CHUNK = 8192;

    /** The update of one chunk: arrays[i][0 .. n) hold the chunk of array i. */
    interface Kernel {
        void apply(double[][] arrays, int n);
    }

    private final HostCopy host = new HostCopy();
    private double[][] work = new double[0][];

    /** Applies {@code kernel} chunk by chunk, then writes back the first {@code written} arrays. */
    void run(INDArray[] arrays, int written, Kernel kernel) {
        if (work.length < arrays.length) {
            work = new double[arrays.length][CHUNK];
        }
        long length = arrays[0].length();
        for (long from = 0; from < length; from += CHUNK) {
            int n = (int) Math.min(CHUNK, length - from);
            for (int i = 0; i < arrays.length; i++) {
                host.readRange(arrays[i], from, n, work[i], 0);
            }
            kernel.apply(work, n);
            for (int i = 0; i < written; i++) {
                host.writeRange(work[i], 0, n, arrays[i], from);
            }
        }
    }
}
