package rnn.engine.optim;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs an element-wise update over same-shaped whole arrays (parameter, state buffers, gradient)
 * as one Java loop per chunk: each array is read once and written at most once, where a chain
 * of in-place ND4J ops passes over memory once per op (7 to 10 passes for RMSprop and Adam).
 * The loop runs in the arrays' own precision, so C2 vectorizes it at full width. Not thread-safe.
 */
final class ChunkedUpdate {
    private static final int CHUNK = 8192;

    /** The update of one chunk, in each precision: arrays[i][0 .. n) hold the chunk of array i. */
    interface Kernel {
        void apply(float[][] arrays, int n);

        void apply(double[][] arrays, int n);
    }

    private float[][] floats = new float[0][];
    private double[][] doubles = new double[0][];

    /** Applies {@code kernel} chunk by chunk, then writes back the first {@code written} arrays. */
    void run(INDArray[] arrays, int written, Kernel kernel) {
        long length = arrays[0].length();
        if (arrays[0].dataType() == DataType.DOUBLE) {
            if (doubles.length < arrays.length) {
                doubles = new double[arrays.length][CHUNK];
            }
            DoubleBuffer[] buffers = new DoubleBuffer[arrays.length];
            for (int i = 0; i < arrays.length; i++) {
                buffers[i] = whole(arrays[i]).data().asNioDouble();
            }
            for (int from = 0; from < length; from += CHUNK) {
                int n = (int) Math.min(CHUNK, length - from);
                for (int i = 0; i < arrays.length; i++) {
                    buffers[i].get(from, doubles[i], 0, n);
                }
                kernel.apply(doubles, n);
                for (int i = 0; i < written; i++) {
                    buffers[i].put(from, doubles[i], 0, n);
                }
            }
            return;
        }
        if (floats.length < arrays.length) {
            floats = new float[arrays.length][CHUNK];
        }
        FloatBuffer[] buffers = new FloatBuffer[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            buffers[i] = whole(arrays[i]).data().asNioFloat();
        }
        for (int from = 0; from < length; from += CHUNK) {
            int n = (int) Math.min(CHUNK, length - from);
            for (int i = 0; i < arrays.length; i++) {
                buffers[i].get(from, floats[i], 0, n);
            }
            kernel.apply(floats, n);
            for (int i = 0; i < written; i++) {
                buffers[i].put(from, floats[i], 0, n);
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
