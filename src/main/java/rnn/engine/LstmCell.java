package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LSTM, gates in PyTorch's order i, f, g, o:
 * <pre>
 *   [i f g o] = [sigm sigm tanh sigm](W_ih x + b_ih + W_hh h_prev + b_hh)
 *   c = f * c_prev + i * g
 *   h = o * tanh(c)
 * </pre>
 * Backward, with dh arriving at h and dc carried from the next step:
 * <pre>
 *   dc += dh * o * (1 - tanh(c)^2)          dO = dh * tanh(c) * o(1-o)
 *   dI = dc * g * i(1-i)   dF = dc * c_prev * f(1-f)   dG = dc * i * (1-g^2)
 *   dc_prev = dc * f       dh_prev += [dI dF dG dO] W_hh
 * </pre>
 * The factors that do not depend on the incoming gradient are computed for all steps at once
 * before the backward loop, so each step costs one gemm and a few element-wise ops.
 */
final class LstmCell extends RecurrentCell {
    /** [(T+1)*B, H]: block 0 the initial cell state, block t+1 the cell state after step t. */
    private final INDArray cell;
    /** [N, H]: tanh(c) of each step. */
    private final INDArray tanhCell;
    /** [N, 4H]: the local derivative factors of i, f, g, o described above. */
    private final INDArray factors;
    /** [N, H]: o * (1 - tanh(c)^2), the path from dh to dc. */
    private final INDArray cellFactor;
    private final INDArray dCell;
    private final INDArray[] cellStep;
    private final INDArray[] tanhCellStep;
    private final INDArray[] cellFactorStep;
    private final INDArray[][] gate;
    private final INDArray[][] factor;
    private final INDArray[][] dGate;
    private final INDArray[] inputForgetStep;

    LstmCell(int batch, int steps, int hidden, DataType dtype) {
        super(4, batch, steps, hidden, dtype);
        cell = Nd4j.create(dtype, (long) (steps + 1) * batch, hidden);
        tanhCell = Nd4j.create(dtype, rowsTotal, hidden);
        factors = Nd4j.create(dtype, rowsTotal, 4L * hidden);
        cellFactor = Nd4j.create(dtype, rowsTotal, hidden);
        dCell = Nd4j.create(dtype, batch, hidden);
        cellStep = Ops.blocks(cell, steps + 1, batch);
        tanhCellStep = Ops.blocks(tanhCell, steps, batch);
        cellFactorStep = Ops.blocks(cellFactor, steps, batch);
        INDArray[] factorStep = Ops.blocks(factors, steps, batch);
        gate = new INDArray[steps][];
        factor = new INDArray[steps][];
        dGate = new INDArray[steps][];
        inputForgetStep = new INDArray[steps];
        for (int t = 0; t < steps; t++) {
            gate[t] = gateBlocks(preStep[t], 4);
            factor[t] = gateBlocks(factorStep[t], 4);
            dGate[t] = gateBlocks(dPreStep[t], 4);
            inputForgetStep[t] = Ops.cols(preStep[t], 0, 2L * hidden);
        }
    }

    @Override
    boolean foldsHiddenBias() {
        return true;
    }

    @Override
    void loadState(RecurrentState state, int layer) {
        super.loadState(state, layer);
        cellStep[0].assign(state.cell(layer));
    }

    void loadZeroCell() {
        cellStep[0].assign(0);
    }

    @Override
    void saveState(RecurrentState state, int layer) {
        super.saveState(state, layer);
        state.cell(layer).assign(cellStep[steps]);
    }

    @Override
    void forward(INDArray weightHh, INDArray biasHh) {
        for (int t = 0; t < steps; t++) {
            INDArray[] g = gate[t];
            Ops.gemm(outStep[t], weightHh, preStep[t], false, true, 1.0);
            Ops.sigmoid(inputForgetStep[t]);
            Ops.tanh(g[2]);
            Ops.sigmoid(g[3]);
            Ops.mul(g[1], cellStep[t], cellStep[t + 1]);
            Ops.mul(g[0], g[2], scratch);
            cellStep[t + 1].addi(scratch);
            Ops.tanh(cellStep[t + 1], tanhCellStep[t]);
            Ops.mul(g[3], tanhCellStep[t], outStep[t + 1]);
        }
    }

    @Override
    void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones) {
        prepareFactors();
        dCell.assign(0);
        for (int t = steps - 1; t >= 0; t--) {
            INDArray dh = dOutStep[t + 1];
            INDArray[] d = dGate[t];
            INDArray[] k = factor[t];
            Ops.mul(dh, cellFactorStep[t], scratch);
            dCell.addi(scratch);
            Ops.mul(dh, k[3], d[3]);
            Ops.mul(dCell, k[0], d[0]);
            Ops.mul(dCell, k[1], d[1]);
            Ops.mul(dCell, k[2], d[2]);
            dCell.muli(gate[t][1]);
            Ops.gemm(dPreStep[t], weightHh, dOutStep[t], false, false, 1.0);
        }
        Ops.gemm(dPre, previousOutputs(), gradWeightHh, true, false, 1.0);
    }

    /** Fills {@link #factors} and {@link #cellFactor} for all steps in a few bulk ops. */
    private void prepareFactors() {
        long h = hidden;
        INDArray i = Ops.cols(pre, 0, h);
        INDArray f = Ops.cols(pre, h, 2 * h);
        INDArray g = Ops.cols(pre, 2 * h, 3 * h);
        INDArray o = Ops.cols(pre, 3 * h, 4 * h);
        INDArray ki = Ops.cols(factors, 0, h);
        INDArray kf = Ops.cols(factors, h, 2 * h);
        INDArray kg = Ops.cols(factors, 2 * h, 3 * h);
        INDArray ko = Ops.cols(factors, 3 * h, 4 * h);
        Ops.sigmoidDerivative(i, ki);
        ki.muli(g);
        Ops.sigmoidDerivative(f, kf);
        kf.muli(Ops.rows(cell, 0, rowsTotal));
        Ops.tanhDerivative(g, kg);
        kg.muli(i);
        Ops.sigmoidDerivative(o, ko);
        ko.muli(tanhCell);
        Ops.tanhDerivative(tanhCell, cellFactor);
        cellFactor.muli(o);
    }
}
