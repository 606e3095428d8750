package rnn.engine;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row and column gathers by token id, and their scatter-add gradients: the embedding lookup, and
 * the one-hot input product W_ih x (which is column x of W_ih), without any one-hot matrix.
 * Operates on whole (non-view) row-major arrays through their buffers, one pass each.
 */
final class Lookup {
    private Lookup() {
    }

    /** out[n, :] = table[ids[n], :]. */
    static void gatherRows(INDArray table, int[] ids, int count, INDArray out) {
        requireWhole(table);
        requireWhole(out);
        long width = table.size(1);
        DataBuffer src = table.data();
        DataBuffer dst = out.data();
        for (int n = 0; n < count; n++) {
            long from = ids[n] * width;
            long to = n * width;
            for (long j = 0; j < width; j++) {
                dst.put(to + j, src.getDouble(from + j));
            }
        }
    }

    /** gradTable[ids[n], :] += grad[n, :]; repeated ids accumulate. */
    static void scatterAddRows(INDArray gradTable, int[] ids, int count, INDArray grad) {
        requireWhole(gradTable);
        requireWhole(grad);
        long width = gradTable.size(1);
        DataBuffer dst = gradTable.data();
        DataBuffer src = grad.data();
        for (int n = 0; n < count; n++) {
            long to = ids[n] * width;
            long from = n * width;
            for (long j = 0; j < width; j++) {
                dst.put(to + j, dst.getDouble(to + j) + src.getDouble(from + j));
            }
        }
    }

    /** out[n, :] = table[:, ids[n]] for a table [R, V]. */
    static void gatherColumns(INDArray table, int[] ids, int count, INDArray out) {
        requireWhole(table);
        requireWhole(out);
        long height = table.size(0);
        long vocab = table.size(1);
        DataBuffer src = table.data();
        DataBuffer dst = out.data();
        for (int n = 0; n < count; n++) {
            long to = n * height;
            for (long r = 0; r < height; r++) {
                dst.put(to + r, src.getDouble(r * vocab + ids[n]));
            }
        }
    }

    /** gradTable[:, ids[n]] += grad[n, :] for a table [R, V]. */
    static void scatterAddColumns(INDArray gradTable, int[] ids, int count, INDArray grad) {
        requireWhole(gradTable);
        requireWhole(grad);
        long height = gradTable.size(0);
        long vocab = gradTable.size(1);
        DataBuffer dst = gradTable.data();
        DataBuffer src = grad.data();
        for (int n = 0; n < count; n++) {
            long from = n * height;
            for (long r = 0; r < height; r++) {
                long at = r * vocab + ids[n];
                dst.put(at, dst.getDouble(at) + src.getDouble(from + r));
            }
        }
    }

    private static void requireWhole(INDArray a) {
        if (a.isView() || a.ordering() != 'c') {
            throw new IllegalStateException("lookup needs a whole row-major array, got a view or f-order array");
        }
    }
}
