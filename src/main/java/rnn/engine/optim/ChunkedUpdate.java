package rnn.engine.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.kernel.EngineThreads;

/**
 * Runs an element-wise update over same-shaped whole arrays (parameter, state buffers, gradient)
 * as one Java loop per chunk: each array is read once and written at most once, where a chain
 * of in-place ND4J ops passes over memory once per op (7 to 10 passes for RMSprop and Adam).
 * The loop runs in the arrays' own precision, so C2 vectorizes it at full width.
 */
final class ChunkedUpdate {
    private static final int CHUNK = 8192;

    /** The update of one chunk, in each precision: arrays[i][0 .. n) hold the chunk of array i. */
    interface Kernel {
        void apply(float[][] arrays, int n);

        void apply(double[][] arrays, int n);
    }

    /**
     * Applies {@code kernel} chunk by chunk, then writes back the first {@code written} arrays.
     * Chunks are independent, so they are split among {@link EngineThreads#configured} threads.
     */
    void run(INDArray[] arrays, int written, Kernel kernel) {
        int length = Math.toIntExact(arrays[0].length());
        boolean isDouble = arrays[0].dataType() == DataType.DOUBLE;
        for (INDArray a : arrays) {
            whole(a);
        }
        EngineThreads.forRanges(length, CHUNK, (from, to) -> {
            if (isDouble) {
                runDouble(arrays, written, kernel, from, to);
            } else {
                runFloat(arrays, written, kernel, from, to);
            }
        });
    }

    private static void runFloat(INDArray[] arrays, int written, Kernel kernel, int start, int end) {
        float[][] work = new float[arrays.length][CHUNK];
        FloatBuffer[] buffers = new FloatBuffer[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            buffers[i] = arrays[i].data().asNioFloat();
        }
        for (int from = start; from < end; from += CHUNK) {
            int n = Math.min(CHUNK, end - from);
            for (int i = 0; i < arrays.length; i++) {
                buffers[i].get(from, work[i], 0, n);
            }
            kernel.apply(work, n);
            for (int i = 0; i < written; i++) {
                buffers[i].put(from, work[i], 0, n);
            }
        }
    }

    private static void runDouble(INDArray[] arrays, int written, Kernel kernel, int start, int end) {
        double[][] work = new double[arrays.length][CHUNK];
        DoubleBuffer[] buffers = new DoubleBuffer[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            buffers[i] = arrays[i].data().asNioDouble();
        }
        for (int from = start; from < end; from += CHUNK) {
            int n = Math.min(CHUNK, end - from);
            for (int i = 0; i < arrays.length; i++) {
                buffers[i].get(from, work[i], 0, n);
            }
            kernel.apply(work, n);
            for (int i = 0; i < written; i++) {
                buffers[i].put(from, work[i], 0, n);
            }
        }
    }

    private static INDArray whole(INDArray a) {
        if (a.isView() || a.ordering() != 'c' || a.length() > Integer.MAX_VALUE) {
            throw new IllegalStateException("optimizer arrays must be whole row-major arrays");
        }
        return a;
    }
}
