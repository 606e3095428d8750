package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between contiguous ND4J arrays (whole arrays, row blocks, or element ranges of
 * whole arrays) and Java double arrays, so element-wise maths can run as plain Java loops that C2
 * vectorizes. Float arrays are widened through a reused float scratch; not thread-safe.
 */
public final class HostCopy {
    private float[] floats = new float[0];

    /** dst[at .. at + length) = a, in row-major order. */
    public void read(INDArray a, double[] dst, int at) {
        readAt(a, a.offset(), contiguousLength(a), dst, at);
    }

    /** a = src[at .. at + length), in row-major order. */
    public void write(double[] src, int at, INDArray a) {
        writeAt(src, at, contiguousLength(a), a, a.offset());
    }

    /** dst[at .. at + n) = elements [from, from + n) of a whole row-major array. */
    public void readRange(INDArray whole, long from, int n, double[] dst, int at) {
        readAt(requireWhole(whole), whole.offset() + from, n, dst, at);
    }

    /** Elements [from, from + n) of a whole row-major array = src[at .. at + n). */
    public void writeRange(double[] src, int at, int n, INDArray whole, long from) {
        writeAt(src, at, n, requireWhole(whole), whole.offset() + from);
    }

    private void readAt(INDArray a, long offset, int n, double[] dst, int at) {
        int index = Math.toIntExact(offset);
        if (a.dataType() == DataType.DOUBLE) {
            a.data().asNioDouble().get(index, dst, at, n);
            return;
        }
        float[] f = scratch(n);
        a.data().asNioFloat().get(index, f, 0, n);
        for (int i = 0; i < n; i++) {
            dst[at + i] = f[i];
        }
    }

    private void writeAt(double[] src, int at, int n, INDArray a, long offset) {
        int index = Math.toIntExact(offset);
        if (a.dataType() == DataType.DOUBLE) {
            a.data().asNioDouble().put(index, src, at, n);
            return;
        }
        float[] f = scratch(n);
        for (int i = 0; i < n; i++) {
            f[i] = (float) src[at + i];
        }
        a.data().asNioFloat().put(index, f, 0, n);
    }

    private static INDArray requireWhole(INDArray a) {
        if (a.isView() || a.ordering() != 'c') {
            throw new IllegalStateException("host copy of a range needs a whole row-major array");
        }
        return a;
    }

    /** The length of a whole array or a row block of one (rows of a c-order matrix, or a single row). */
    private static int contiguousLength(INDArray a) {
        boolean contiguous = a.rank() == 2
                ? (a.size(1) == 1 || a.stride(1) == 1) && (a.size(0) == 1 || a.stride(0) == a.size(1))
                : a.ordering() == 'c' && !a.isView();
        if (!contiguous) {
            throw new IllegalStateException("host copy needs a contiguous row-major array or row block");
        }
        return Math.toIntExact(a.length());
    }

    private float[] scratch(int n) {
        if (floats.length < n) {
            floats = new float[n];
        }
        return floats;
    }
}
