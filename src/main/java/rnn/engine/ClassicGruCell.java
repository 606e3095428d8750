package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * GRU as Cho et al. 2014 and the early tutorials write it (reset applied to h before the product),
 * with the same parameter layout as {@link GruCell} (gates r, z, n):
 * <pre>
 *   [r z] = sigm(W_i[rz] x + b_i[rz] + W_h[rz] h_prev + b_h[rz])
 *   n     = tanh(W_in x + b_in + W_hn (r * h_prev) + b_hn)
 *   h     = z * n + (1 - z) * h_prev
 * </pre>
 * Backward:
 * <pre>
 *   da_n = dh z (1-n^2)     da_z = dh (n - h_prev) z(1-z)
 *   d(rh) = da_n W_hn       da_r = d(rh) h_prev r(1-r)
 *   dh_prev += dh (1-z) + d(rh) r + [da_r da_z] W_h[rz]
 * </pre>
 */
final class ClassicGruCell extends RecurrentCell {
    /** [N, 2H] and [N, H]: the recurrent products of the r/z gates and of the candidate. */
    private final INDArray hhRz;
    private final INDArray hhN;
    private final INDArray dHhRz;
    private final INDArray dHhN;
    /** [N, H]: r * h_prev of each step. */
    private final INDArray resetHidden;
    /** [N, 3H]: the factors of da_r, da_z, da_n above; [N, H]: 1 - z. */
    private final INDArray factors;
    private final INDArray keep;
    private final INDArray dResetHidden;
    private final INDArray[] hhRzStep;
    private final INDArray[] hhNStep;
    private final INDArray[] dHhRzStep;
    private final INDArray[] dHhNStep;
    private final INDArray[] resetHiddenStep;
    private final INDArray[] keepStep;
    private final INDArray[] rz;
    private final INDArray[] dPreRz;
    private final INDArray[][] gate;
    private final INDArray[][] dGate;
    private final INDArray[][] factor;

    ClassicGruCell(int batch, int steps, int hidden, DataType dtype) {
        super(3, batch, steps, hidden, dtype);
        long h = hidden;
        hhRz = Nd4j.create(dtype, rowsTotal, 2 * h);
        hhN = Nd4j.create(dtype, rowsTotal, h);
        dHhRz = Nd4j.create(dtype, rowsTotal, 2 * h);
        dHhN = Nd4j.create(dtype, rowsTotal, h);
        resetHidden = Nd4j.create(dtype, rowsTotal, h);
        factors = Nd4j.create(dtype, rowsTotal, 3 * h);
        keep = Nd4j.create(dtype, rowsTotal, h);
        dResetHidden = Nd4j.create(dtype, batch, h);
        hhRzStep = Ops.blocks(hhRz, steps, batch);
        hhNStep = Ops.blocks(hhN, steps, batch);
        dHhRzStep = Ops.blocks(dHhRz, steps, batch);
        dHhNStep = Ops.blocks(dHhN, steps, batch);
        resetHiddenStep = Ops.blocks(resetHidden, steps, batch);
        keepStep = Ops.blocks(keep, steps, batch);
        INDArray[] factorStep = Ops.blocks(factors, steps, batch);
        rz = new INDArray[steps];
        dPreRz = new INDArray[steps];
        gate = new INDArray[steps][];
        dGate = new INDArray[steps][];
        factor = new INDArray[steps][];
        for (int t = 0; t < steps; t++) {
            rz[t] = Ops.cols(preStep[t], 0, 2 * h);
            dPreRz[t] = Ops.cols(dPreStep[t], 0, 2 * h);
            gate[t] = gateBlocks(preStep[t], 3);
            dGate[t] = gateBlocks(dPreStep[t], 3);
            factor[t] = gateBlocks(factorStep[t], 3);
        }
    }

    @Override
    boolean foldsHiddenBias() {
        return false;
    }

    @Override
    void forward(INDArray weightHh, INDArray biasHh) {
        long h = hidden;
        INDArray weightRz = Ops.rows(weightHh, 0, 2 * h);
        INDArray weightN = Ops.rows(weightHh, 2 * h, 3 * h);
        hhRz.assign(0).addiRowVector(biasHh.get(NDArrayIndex.interval(0, 2 * h)));
        hhN.assign(0).addiRowVector(biasHh.get(NDArrayIndex.interval(2 * h, 3 * h)));
        for (int t = 0; t < steps; t++) {
            INDArray[] g = gate[t];
            Ops.gemm(outStep[t], weightRz, hhRzStep[t], false, true, 1.0);
            rz[t].addi(hhRzStep[t]);
            Ops.sigmoid(rz[t]);
            Ops.mul(g[0], outStep[t], resetHiddenStep[t]);
            Ops.gemm(resetHiddenStep[t], weightN, hhNStep[t], false, true, 1.0);
            g[2].addi(hhNStep[t]);
            Ops.tanh(g[2]);
            Ops.sub(g[2], outStep[t], scratch);
            scratch.muli(g[1]);
            Ops.add(outStep[t], scratch, outStep[t + 1]);
            holdUnstarted(t);
        }
    }

    @Override
    void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones) {
        long h = hidden;
        INDArray weightRz = Ops.rows(weightHh, 0, 2 * h);
        INDArray weightN = Ops.rows(weightHh, 2 * h, 3 * h);
        prepareFactors();
        for (int t = steps - 1; t >= 0; t--) {
            INDArray dh = dOutStep[t + 1];
            INDArray[] d = dGate[t];
            INDArray[] k = factor[t];
            Ops.mul(dh, k[2], dHhNStep[t]);
            Ops.mul(dh, k[1], d[1]);
            Ops.gemm(dHhNStep[t], weightN, dResetHidden, false, false, 0.0);
            Ops.mul(dResetHidden, k[0], d[0]);
            Ops.mul(dResetHidden, gate[t][0], scratch);
            dOutStep[t].addi(scratch);
            Ops.mul(dh, keepStep[t], scratch);
            dOutStep[t].addi(scratch);
            dHhRzStep[t].assign(dPreRz[t]);
            Ops.gemm(dHhRzStep[t], weightRz, dOutStep[t], false, false, 1.0);
        }
        Ops.cols(dPre, 2 * h, 3 * h).assign(dHhN);
        Ops.gemm(dHhRz, previousOutputs(), Ops.rows(gradWeightHh, 0, 2 * h), true, false, 0.0);
        Ops.gemm(dHhN, resetHidden, Ops.rows(gradWeightHh, 2 * h, 3 * h), true, false, 0.0);
        Ops.columnSums(dHhRz, ones, gradBiasHh.get(NDArrayIndex.interval(0, 2 * h)));
        Ops.columnSums(dHhN, ones, gradBiasHh.get(NDArrayIndex.interval(2 * h, 3 * h)));
    }

    private void prepareFactors() {
        long h = hidden;
        INDArray r = Ops.cols(pre, 0, h);
        INDArray z = Ops.cols(pre, h, 2 * h);
        INDArray n = Ops.cols(pre, 2 * h, 3 * h);
        INDArray hPrev = previousOutputs();
        INDArray kr = Ops.cols(factors, 0, h);
        INDArray kz = Ops.cols(factors, h, 2 * h);
        INDArray kn = Ops.cols(factors, 2 * h, 3 * h);
        Ops.sigmoidDerivative(r, kr);
        kr.muli(hPrev);
        Ops.sub(n, hPrev, keep); // keep is scratch until its final value below
        Ops.sigmoidDerivative(z, kz);
        kz.muli(keep);
        Ops.tanhDerivative(n, kn);
        kn.muli(z);
        keep.assign(z).rsubi(1.0);
    }
}
