package rnn.engine;

import rnn.engine.kernel.EngineThreads;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The handful of ND4J calls the engine is built from. All write into existing arrays: every
 * ND4J call costs 10-40 us of dispatch, and allocation is slow (see shared notes), so buffers are
 * allocated once per batch shape and the big products go through {@code Nd4j.gemm}, which runs at
 * BLAS speed where {@code mmul} does not.
 */
final class Ops {
    private Ops() {
    }

    /** Row block [from, to) of a matrix: contiguous, usable as a gemm output. */
    static INDArray rows(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    /** Column block [from, to): strided; fine for element-wise ops, not as a gemm output. */
    static INDArray cols(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
    }

    /** The T+extra consecutive row blocks of height B, as views. */
    static INDArray[] blocks(INDArray a, int count, int height) {
        INDArray[] views = new INDArray[count];
        for (int i = 0; i < count; i++) {
            views[i] = rows(a, (long) i * height, (long) (i + 1) * height);
        }
        return views;
    }

    /**
     * c = op(a) op(b) + beta * c, on {@link EngineThreads} BLAS threads. Row-major operands (whole
     * arrays, row or column blocks) go straight to OpenBLAS's cblas_?gemm, the library ND4J itself
     * calls: ND4J's op dispatch around it cost 10-40 us per call, a tenth of a per-step product.
     */
    static void gemm(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double beta) {
        if (!Blas.gemm(a, b, c, transA, transB, beta)) {
            Nd4j.gemm(a, b, c, transA, transB, 1.0, beta);
        }
    }

    /** c = a b + beta * c, no transposes, as small products where that is faster ({@link Blas#gemmTiled}). */
    static void gemmTiled(INDArray a, INDArray b, INDArray c, double beta) {
        gemmTiled(a, b, c, beta, c.size(0));
    }

    /** The same where only c's first {@code m} rows are needed (see {@link Blas#gemmTiled(INDArray, INDArray, INDArray, double, long)}). */
    static void gemmTiled(INDArray a, INDArray b, INDArray c, double beta, long m) {
        if (!Blas.gemmTiled(a, b, c, beta, m)) {
            Nd4j.gemm(a, b, c, false, false, 1.0, beta);
        }
    }

    static void mul(INDArray a, INDArray b, INDArray out) {
        Nd4j.exec(new MulOp(a, b, out));
    }

    static void add(INDArray a, INDArray b, INDArray out) {
        Nd4j.exec(new AddOp(a, b, out));
    }

    static void sub(INDArray a, INDArray b, INDArray out) {
        Nd4j.exec(new SubOp(a, b, out));
    }

    static void sigmoid(INDArray inPlace) {
        Nd4j.exec(new Sigmoid(inPlace, inPlace));
    }

    static void tanh(INDArray inPlace) {
        Nd4j.exec(new Tanh(inPlace, inPlace));
    }

    static void tanh(INDArray x, INDArray out) {
        Nd4j.exec(new Tanh(x, out));
    }

    /** out = max(0, x). */
    static void relu(INDArray x, INDArray out) {
        Transforms.relu(out.assign(x), false);
    }

    /** out = 1 where r > 0, else 0: the ReLU's derivative from its output. */
    static void reluDerivative(INDArray r, INDArray out) {
        Transforms.step(out.assign(r), false);
    }

    /** out = s * (1 - s): the sigmoid's derivative from its output. */
    static void sigmoidDerivative(INDArray s, INDArray out) {
        out.assign(s).rsubi(1.0).muli(s);
    }

    /** out = 1 - t^2: the tanh's derivative from its output. */
    static void tanhDerivative(INDArray t, INDArray out) {
        out.assign(t).muli(t).rsubi(1.0);
    }

    /** vector = column sums of m, as one gemm with a ones row (no temporary). */
    static void columnSums(INDArray m, INDArray ones, INDArray vector) {
        gemm(ones, m, vector.reshape(1, vector.length()), false, false, 0.0);
    }
}
