package rnn.engine;

import rnn.engine.kernel.HostCopy;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row and column gathers by token id, and their scatter-add gradients: the embedding lookup, and
 * the one-hot input product W_ih x (which is column x of W_ih), without any one-hot matrix.
 * Operates on whole (non-view) row-major arrays through their buffers, one pass each.
 */
final class Lookup {
    private Lookup() {
    }

    /** out[n, :] = table[ids[n], :], a bulk row copy each. */
    static void gatherRows(INDArray table, int[] ids, int count, INDArray out) {
        requireWhole(table);
        requireWhole(out);
        int width = (int) table.size(1);
        HostCopy host = new HostCopy();
        if (table.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT) {
            FloatBuffer from = HostCopy.floats(table);
            FloatBuffer to = HostCopy.floats(out);
            float[] row = new float[width];
            for (int n = 0; n < count; n++) {
                from.get(Math.multiplyExact(ids[n], width), row, 0, width);
                to.put(Math.multiplyExact(n, width), row, 0, width);
            }
            return;
        }
        double[] row = new double[width];
        for (int n = 0; n < count; n++) {
            host.readRange(table, (long) ids[n] * width, width, row, 0);
            host.writeRange(row, 0, width, out, (long) n * width);
        }
    }

    /** gradTable[ids[n], :] += grad[n, :]; repeated ids accumulate. */
    static void scatterAddRows(INDArray gradTable, int[] ids, int count, INDArray grad) {
        requireWhole(gradTable);
        requireWhole(grad);
        int width = (int) gradTable.size(1);
        HostCopy host = new HostCopy();
        double[] sum = new double[width];
        double[] add = new double[width];
        for (int n = 0; n < count; n++) {
            long at = (long) ids[n] * width;
            host.readRange(gradTable, at, width, sum, 0);
            host.readRange(grad, (long) n * width, width, add, 0);
            for (int j = 0; j < width; j++) {
                sum[j] += add[j];
            }
            host.writeRange(sum, 0, width, gradTable, at);
        }
    }

    /**
     * out[n, :] = table[:, ids[n]] for a table [R, V]. The columns of a row-major table are
     * strided, so it goes row by row: each table row is copied to the heap in bulk and gathered
     * from there (per-element nio access on a direct buffer costs several times more).
     */
    static void gatherColumns(INDArray table, int[] ids, int count, INDArray out) {
        requireWhole(table);
        requireWhole(out);
        int height = (int) table.size(0);
        int vocab = (int) table.size(1);
        if (table.dataType() == DataType.DOUBLE) {
            DoubleBuffer src = table.data().asNioDouble();
            double[] row = new double[vocab];
            double[] gathered = new double[count * height];
            for (int r = 0; r < height; r++) {
                src.get(r * vocab, row);
                for (int n = 0; n < count; n++) {
                    gathered[n * height + r] = row[ids[n]];
                }
            }
            out.data().asNioDouble().put(0, gathered);
            return;
        }
        FloatBuffer src = table.data().asNioFloat();
        float[] row = new float[vocab];
        float[] gathered = new float[count * height];
        for (int r = 0; r < height; r++) {
            src.get(r * vocab, row);
            for (int n = 0; n < count; n++) {
                gathered[n * height + r] = row[ids[n]];
            }
        }
        out.data().asNioFloat().put(0, gathered);
    }

    /**
     * gradTable[:, v] = sum of grad[n, :] over the n with ids[n] = v (0 for ids not present), for a
     * table [R, V]: the whole gradient of a one-hot input's W_ih, written row by row as
     * {@link #gatherColumns} reads, with no need to zero or read the table first.
     */
    static void scatterColumns(INDArray gradTable, int[] ids, int count, INDArray grad) {
        requireWhole(gradTable);
        requireWhole(grad);
        int height = (int) gradTable.size(0);
        int vocab = (int) gradTable.size(1);
        if (gradTable.dataType() == DataType.DOUBLE) {
            DoubleBuffer dst = gradTable.data().asNioDouble();
            double[] row = new double[vocab];
            double[] added = new double[count * height];
            grad.data().asNioDouble().get(0, added);
            for (int r = 0; r < height; r++) {
                Arrays.fill(row, 0.0);
                for (int n = 0; n < count; n++) {
                    row[ids[n]] += added[n * height + r];
                }
                dst.put(r * vocab, row);
            }
            return;
        }
        FloatBuffer dst = gradTable.data().asNioFloat();
        float[] row = new float[vocab];
        float[] added = new float[count * height];
        grad.data().asNioFloat().get(0, added);
        for (int r = 0; r < height; r++) {
            Arrays.fill(row, 0f);
            for (int n = 0; n < count; n++) {
                row[ids[n]] += added[n * height + r];
            }
            dst.put(r * vocab, row);
        }
    }

    private static void requireWhole(INDArray a) {
        if (a.isView() || a.ordering() != 'c') {
            throw new IllegalStateException("lookup needs a whole row-major array, got a view or f-order array");
        }
    }
}
