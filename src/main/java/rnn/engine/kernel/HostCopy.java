package rnn.engine.kernel;

import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between contiguous ND4J arrays (whole arrays, row blocks, or element ranges of
 * whole arrays) and Java arrays, so element-wise maths can run as plain Java loops that C2
 * vectorizes. Into double arrays, float arrays are widened through a reused float scratch (C2
 * does not vectorize the widening, about 0.3 ns per element, so hot float paths copy into float
 * arrays, unconverted); not thread-safe.
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

    /** dst[at .. at + length) = a float array or row block, unconverted. */
    public void read(INDArray a, float[] dst, int at) {
        requireFloat(a).data().asNioFloat().get(Math.toIntExact(a.offset()), dst, at, contiguousLength(a));
    }

    /** A float array or row block = src[at .. at + length), unconverted. */
    public void write(float[] src, int at, INDArray a) {
        requireFloat(a).data().asNioFloat().put(Math.toIntExact(a.offset()), src, at, contiguousLength(a));
    }

    /**
     * A whole row-major float array's memory as a buffer, element i at index i: one view for a
     * loop that copies many rows, rather than a new one per row.
     */
    public static FloatBuffer floats(INDArray whole) {
        return requireFloat(requireWhole(whole)).data().asNioFloat();
    }

    private static INDArray requireFloat(INDArray a) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalStateException("a float copy needs a float array, got " + a.dataType());
        }
        return a;
    }

    private void readAt(INDArray a, long offset, int n, double[] dst, int at) {
        int index = Math.toIntExact(offset);
        if (a.dataType() == DataType.DOUBLE) {
            a.data().asNioDouble().get(index, dst, at, n);
            return;
        }
        float[] f = scratch(n);
        a.data().asNioFloat().get(index, f, 0, n);
        widen(f, dst, at, n);
    }

    private void writeAt(double[] src, int at, int n, INDArray a, long offset) {
        int index = Math.toIntExact(offset);
        if (a.dataType() == DataType.DOUBLE) {
            a.data().asNioDouble().put(index, src, at, n);
            return;
        }
        float[] f = scratch(n);
        narrow(src, at, f, n);
        a.data().asNioFloat().put(index, f, 0, n);
    }

    // The element loops live in small methods of their own: C2 compiles each once, quickly, rather
    // than again inside every large caller (cold runs spent a second in such compilations).
    private static void widen(float[] src, double[] dst, int at, int n) {
        for (int i = 0; i < n; i++) {
            dst[at + i] = src[i];
        }
    }

    private static void narrow(double[] src, int at, float[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = (float) src[at + i];
        }
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
