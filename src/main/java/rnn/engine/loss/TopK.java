package rnn.engine.loss;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Next-word accuracy, as Keras's {@code accuracy} and {@code top_k_categorical_accuracy}: a
 * prediction is a top-k hit when fewer than k logits of its row are larger than its target's (a
 * tie with the target counts for it).
 */
public final class TopK {
    private TopK() {
    }

    /**
     * Hits among the rows of {@code logits} [M, V] (a whole row-major array or a block of its rows):
     * {@code [top-1 hits, top-k hits]}. Rows are read straight from the array's buffer: a row view
     * per row cost 10-20 us in ND4J's bookkeeping, which made validation several times slower than
     * its forward pass.
     */
    public static long[] hits(INDArray logits, int[] targets, int k) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("top-k hits need a matrix of logits, got shape " + Arrays.toString(logits.shape()));
        }
        int rows = (int) logits.size(0);
        int columns = (int) logits.size(1);
        if (columns > 1 && logits.stride(1) != 1 || rows > 1 && logits.stride(0) < columns) {
            throw new IllegalArgumentException("top-k hits need row-major rows, got shape "
                    + Arrays.toString(logits.shape()) + " strides " + Arrays.toString(logits.stride()));
        }
        long rowStride = rows > 1 ? logits.stride(0) : columns;
        long top1 = 0;
        long topK = 0;
        if (logits.dataType() == DataType.DOUBLE) {
            DoubleBuffer buffer = logits.data().asNioDouble();
            double[] row = new double[columns];
            for (int r = 0; r < rows; r++) {
                buffer.get(Math.toIntExact(logits.offset() + r * rowStride), row, 0, columns);
                int larger = larger(row, row[targets[r]]);
                top1 += larger == 0 ? 1 : 0;
                topK += larger < k ? 1 : 0;
            }
        } else if (logits.dataType() == DataType.FLOAT) {
            FloatBuffer buffer = logits.data().asNioFloat();
            float[] row = new float[columns];
            for (int r = 0; r < rows; r++) {
                buffer.get(Math.toIntExact(logits.offset() + r * rowStride), row, 0, columns);
                int larger = larger(row, row[targets[r]]);
                top1 += larger == 0 ? 1 : 0;
                topK += larger < k ? 1 : 0;
            }
        } else {
            throw new IllegalArgumentException("top-k hits need float or double logits, got " + logits.dataType());
        }
        return new long[] {top1, topK};
    }

    private static int larger(double[] row, double target) {
        int n = 0;
        for (double z : row) {
            n += z > target ? 1 : 0;
        }
        return n;
    }

    private static int larger(float[] row, float target) {
        int n = 0;
        for (float z : row) {
            n += z > target ? 1 : 0;
        }
        return n;
    }
}
