package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GRU as cuDNN, PyTorch and Keras 3 define it (reset applied after the recurrent product), gates
 * in PyTorch's order r, z, n:
 * <pre>
 *   [r z] = sigm(W_i[rz] x + b_i[rz] + W_h[rz] h_prev + b_h[rz])
 *   n     = tanh(W_in x + b_in + r * (W_hn h_prev + b_hn))
 *   h     = (1 - z) * n + z * h_prev
 * </pre>
 * Backward, a_n being n's pre-activation and hh = W_hh h_prev + b_hh:
 * <pre>
 *   da_n = dh (1-z)(1-n^2)        da_z = dh (h_prev - n) z(1-z)     da_r = da_n hh_n r(1-r)
 *   d(hh) = [da_r, da_z, da_n * r]   dh_prev += dh * z + d(hh) W_hh
 * </pre>
 */
final class GruCell extends RecurrentCell {
    /** [N, 3H]: W_hh h_prev + b_hh of each step. */
    private final INDArray hh;
    private final INDArray dHh;
    /** [N, 3H]: the factors of da_r, da_z and da_n above that do not depend on dh. */
    private final INDArray factors;
    private final INDArray[] hhStep;
    private final INDArray[] dHhStep;
    private final INDArray[] rz;
    private final INDArray[] dPreRz;
    private final INDArray[] dHhRz;
    private final INDArray[][] gate;
    private final INDArray[][] dGate;
    private final INDArray[][] factor;
    private final INDArray[] hhN;
    private final INDArray[] dHhN;

    GruCell(int batch, int steps, int hidden, DataType dtype) {
        super(3, batch, steps, hidden, dtype);
        hh = Nd4j.create(dtype, rowsTotal, 3L * hidden);
        dHh = Nd4j.create(dtype, rowsTotal, 3L * hidden);
        factors = Nd4j.create(dtype, rowsTotal, 3L * hidden);
        hhStep = Ops.blocks(hh, steps, batch);
        dHhStep = Ops.blocks(dHh, steps, batch);
        INDArray[] factorStep = Ops.blocks(factors, steps, batch);
        rz = new INDArray[steps];
        dPreRz = new INDArray[steps];
        dHhRz = new INDArray[steps];
        gate = new INDArray[steps][];
        dGate = new INDArray[steps][];
        factor = new INDArray[steps][];
        hhN = new INDArray[steps];
        dHhN = new INDArray[steps];
        long h = hidden;
        for (int t = 0; t < steps; t++) {
            rz[t] = Ops.cols(preStep[t], 0, 2 * h);
            dPreRz[t] = Ops.cols(dPreStep[t], 0, 2 * h);
            dHhRz[t] = Ops.cols(dHhStep[t], 0, 2 * h);
            gate[t] = gateBlocks(preStep[t], 3);
            dGate[t] = gateBlocks(dPreStep[t], 3);
            factor[t] = gateBlocks(factorStep[t], 3);
            hhN[t] = Ops.cols(hhStep[t], 2 * h, 3 * h);
            dHhN[t] = Ops.cols(dHhStep[t], 2 * h, 3 * h);
        }
    }

    @Override
    boolean foldsHiddenBias() {
        return false;
    }

    @Override
    void forward(INDArray weightHh, INDArray biasHh) {
        hh.assign(0).addiRowVector(biasHh);
        for (int t = 0; t < steps; t++) {
            INDArray[] g = gate[t];
            Ops.gemm(outStep[t], weightHh, hhStep[t], false, true, 1.0);
            rz[t].addi(Ops.cols(hhStep[t], 0, 2L * hidden));
            Ops.sigmoid(rz[t]);
            Ops.mul(g[0], hhN[t], scratch);
            g[2].addi(scratch);
            Ops.tanh(g[2]);
            Ops.sub(outStep[t], g[2], scratch);
            scratch.muli(g[1]);
            Ops.add(g[2], scratch, outStep[t + 1]);
            holdUnstarted(t);
        }
    }

    @Override
    void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones) {
        prepareFactors();
        for (int t = steps - 1; t >= 0; t--) {
            INDArray dh = dOutStep[t + 1];
            INDArray[] d = dGate[t];
            INDArray[] k = factor[t];
            Ops.mul(dh, k[2], d[2]);
            Ops.mul(dh, k[1], d[1]);
            Ops.mul(d[2], k[0], d[0]);
            Ops.mul(d[2], gate[t][0], dHhN[t]);
            dHhRz[t].assign(dPreRz[t]);
            Ops.mul(dh, gate[t][1], scratch);
            dOutStep[t].addi(scratch);
            Ops.gemm(dHhStep[t], weightHh, dOutStep[t], false, false, 1.0);
        }
        Ops.gemm(dHh, previousOutputs(), gradWeightHh, true, false, 0.0);
        Ops.columnSums(dHh, ones, gradBiasHh);
    }

    private void prepareFactors() {
        long h = hidden;
        INDArray r = Ops.cols(pre, 0, h);
        INDArray z = Ops.cols(pre, h, 2 * h);
        INDArray n = Ops.cols(pre, 2 * h, 3 * h);
        INDArray kr = Ops.cols(factors, 0, h);
        INDArray kz = Ops.cols(factors, h, 2 * h);
        INDArray kn = Ops.cols(factors, 2 * h, 3 * h);
        INDArray temp = Ops.cols(dHh, 2 * h, 3 * h); // free until the backward loop writes it
        Ops.sigmoidDerivative(r, kr);
        kr.muli(Ops.cols(hh, 2 * h, 3 * h));
        Ops.sub(previousOutputs(), n, temp);
        Ops.sigmoidDerivative(z, kz);
        kz.muli(temp);
        temp.assign(z).rsubi(1.0);
        Ops.tanhDerivative(n, kn);
        kn.muli(temp);
    }
}
