package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between contiguous ND4J arrays (whole arrays or row blocks) and Java double arrays,
 * so element-wise maths can run as plain Java loops that C2 vectorizes. Float arrays are widened
 * through a reused float scratch; one instance per cell, not thread-safe.
 */
public final class HostCopy {
    private float[] floats = new float[0];

    /** dst[at .. at + length) = a, in row-major order. */
    public void read(INDArray a, double[] dst, int at) {
        int n = length(a);
        int offset = (int) a.offset();
        if (a.dataType() == DataType.DOUBLE) {
            a.data().asNioDouble().get(offset, dst, at, n);
            return;
        }
        float[] f = scratch(n);
        a.data().asNioFloat().get(offset, f, 0, n);
        for (int i = 0; i < n; i++) {
            dst[at + i] = f[i];
        }
    }

    /** a = src[at .. at + length), in row-major order. */
    public void write(double[] src, int at, INDArray a) {
        int n = length(a);
        int offset = (int) a.offset();
        if (a.dataType() == DataType.DOUBLE) {
            a.data().asNioDouble().put(offset, src, at, n);
            return;
        }
        float[] f = scratch(n);
        for (int i = 0; i < n; i++) {
            f[i] = (float) src[at + i];
        }
        a.data().asNioFloat().put(offset, f, 0, n);
    }

    /** dst[at .. at + n) = elements [from, from + n) of a whole row-major array. */
    public void readRange(INDArray whole, long from, int n, double[] dst, int at) {
        int offset = Math.toIntExact(requireWhole(whole).offset() + from);
        if (whole.dataType() == DataType.DOUBLE) {
            whole.data().asNioDouble().get(offset, dst, at, n);
            return;
        }
        float[] f = scratch(n);
        whole.data().asNioFloat().get(offset, f, 0, n);
        for (int i = 0; i < n; i++) {
            dst[at + i] = f[i];
        }
    }

    /** Elements [from, from + n) of a whole row-major array = src[at .. at + n). */
    public void writeRange(double[] src, int at, int n, INDArray whole, long from) {
        int offset = Math.toIntExact(requireWhole(whole).offset() + from);
        if (whole.dataType() == DataType.DOUBLE) {
            whole.data().asNioDouble().put(offset, src, at, n);
            return;
        }
        float[] f = scratch(n);
        for (int i = 0; i < n; i++) {
            f[i] = (float) src[at + i];
        }
        whole.data().asNioFloat().put(offset, f, 0, n);
    }

    private static INDArray requireWhole(INDArray a) {
        if (a.isView() || a.ordering() != 'c') {
            throw new IllegalStateException("host copy of a range needs a whole row-major array");
        }
        return a;
    }

    private static int length(INDArray a) {
        boolean contiguous = a.rank() == 2
                ? (a.size(1) == 1 || a.stride(1) == 1) && (a.size(0) == 1 || a.stride(0) == a.size(1))
                : a.ordering() == 'c' && !a.isView();
        if (!contiguous) {
            throw new IllegalStateException("host copy needs a contiguous row-major array or row block");
        }
        return (int) a.length();
    }

    private float[] scratch(int n) {
        if (floats.length < n) {
            floats = new float[n];
        }
        return floats;
    }
}
