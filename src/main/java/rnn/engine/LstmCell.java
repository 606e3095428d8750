package rnn.engine;

import rnn.engine.kernel.HostCopy;
import rnn.engine.kernel.Activations;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * Each step is one ND4J gemm (h_prev W_hh^T, or its transpose going back) plus one fused pass of
 * gate maths in Java over double arrays: a dozen ND4J element-wise ops per step cost more in
 * dispatch than the arithmetic itself. Gates, cell states and tanh(c) of every step stay on the
 * Java heap for the backward pass. This is the double model's cell (gradient checks); float
 * models get {@link FloatLstmCell}, the same in float.
 */
final class LstmCell extends RecurrentCell {
    private final int h;
    private final int width;
    /** [N, 4H]: i, f, g, o of every step. */
    private final double[] gates;
    /** [(T+1)*B, H]: block 0 the initial cell state, block t+1 the cell state after step t. */
    private final double[] cells;
    /** [N, H]: tanh(c) of every step. */
    private final double[] tanhCells;
    /** [B, H]: one step's h, or the gradient arriving at it. */
    private final double[] stepHidden;
    /** [B, H]: gradient at the cell state, carried back through time. */
    private final double[] dCell;
    /** [B, 4H]: one step's gate pre-activation gradients. */
    private final double[] stepGates;
    private final HostCopy host = new HostCopy();

    LstmCell(int batch, int steps, int hidden, DataType dtype) {
        super(4, batch, steps, hidden, dtype);
        h = hidden;
        width = 4 * hidden;
        gates = new double[rowsTotal * width];
        cells = new double[(steps + 1) * batch * hidden];
        tanhCells = new double[rowsTotal * hidden];
        stepHidden = new double[batch * hidden];
        dCell = new double[batch * hidden];
        stepGates = new double[batch * width];
    }

    @Override
    boolean foldsHiddenBias() {
        return true;
    }

    @Override
    void loadState(RecurrentState state, int layer) {
        super.loadState(state, layer);
        host.read(state.cell(layer), cells, 0);
    }

    @Override
    void loadZeroState() {
        super.loadZeroState();
        Arrays.fill(cells, 0, batch * h, 0.0);
    }

    @Override
    void saveState(RecurrentState state, int layer) {
        super.saveState(state, layer);
        host.write(cells, steps * batch * h, state.cell(layer));
    }

    @Override
    void forward(INDArray weightHh, INDArray biasHh) {
        for (int t = 0; t < steps; t++) {
            forwardStep(t, weightHh);
        }
    }

    // One step, and below it one row at a time: small methods that C2 compiles once each, early
    // and quickly, instead of recompiling one large loop nest (see HostCopy).
    private void forwardStep(int t, INDArray weightHh) {
        if (weightHhTransposed != null) {
            Ops.gemmTiled(outStep[t], weightHhTransposed, preStep[t], 1.0);
        } else {
            Ops.gemm(outStep[t], weightHh, preStep[t], false, true, 1.0);
        }
        int gateBase = t * batch * width;
        host.read(preStep[t], gates, gateBase);
        int unitBase = t * batch * h;
        for (int b = 0; b < batch; b++) {
            int row = gateBase + b * width;
            int unit = unitBase + b * h;
            if (notStarted(b, t)) {  // held at the zero state: c = 0 (and h = 0 below)
                Arrays.fill(cells, unit + batch * h, unit + batch * h + h, 0.0);
                Arrays.fill(tanhCells, unit, unit + h, 0.0);
                continue;
            }
            activate(gates, row, h);
            updateCell(gates, row, h, cells, unit, unit + batch * h, tanhCells);
        }
        Activations.tanh(tanhCells, unitBase, unitBase + batch * h);
        for (int b = 0; b < batch; b++) {
            if (notStarted(b, t)) {
                Arrays.fill(stepHidden, b * h, b * h + h, 0.0);
                continue;
            }
            outputRow(gates, gateBase + b * width + 3 * h, tanhCells, unitBase + b * h, stepHidden, b * h, h);
        }
        host.write(stepHidden, 0, outStep[t + 1]);
    }

    /** i, f, o through the sigmoid and g through tanh, in place, for one row of gates. */
    private static void activate(double[] gates, int row, int h) {
        Activations.sigmoid(gates, row, row + 2 * h);
        Activations.tanh(gates, row + 2 * h, row + 3 * h);
        Activations.sigmoid(gates, row + 3 * h, row + 4 * h);
    }

    /** c = f * c_prev + i * g into cells[next..] and, for tanh, tanhCells[unit..]. */
    private static void updateCell(double[] gates, int row, int h, double[] cells, int unit, int next,
                                   double[] tanhCells) {
        for (int j = 0; j < h; j++) {
            double c = gates[row + h + j] * cells[unit + j] + gates[row + j] * gates[row + 2 * h + j];
            cells[next + j] = c;
            tanhCells[unit + j] = c;
        }
    }

    /** h = o * tanh(c). */
    private static void outputRow(double[] gates, int outputGate, double[] tanhCells, int unit, double[] hidden,
                                  int at, int h) {
        for (int j = 0; j < h; j++) {
            hidden[at + j] = gates[outputGate + j] * tanhCells[unit + j];
        }
    }

    @Override
    void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones) {
        Arrays.fill(dCell, 0.0);
        for (int t = steps - 1; t >= 0; t--) {
            host.read(dOutStep[t + 1], stepHidden, 0);
            for (int b = 0; b < batch; b++) {
                int row = (t * batch + b) * width;
                int unit = (t * batch + b) * h;
                int out = b * width;
                int local = b * h;
                for (int j = 0; j < h; j++) {
                    double i = gates[row + j];
                    double f = gates[row + h + j];
                    double g = gates[row + 2 * h + j];
                    double o = gates[row + 3 * h + j];
                    double tc = tanhCells[unit + j];
                    double dh = stepHidden[local + j];
                    double dc = dCell[local + j] + dh * o * (1 - tc * tc);
                    stepGates[out + j] = dc * g * i * (1 - i);
                    stepGates[out + h + j] = dc * cells[unit + j] * f * (1 - f);
                    stepGates[out + 2 * h + j] = dc * i * (1 - g * g);
                    stepGates[out + 3 * h + j] = dh * tc * o * (1 - o);
                    dCell[local + j] = dc * f;
                }
            }
            host.write(stepGates, 0, dPreStep[t]);
            Ops.gemm(dPreStep[t], weightHh, dOutStep[t], false, false, 1.0);
        }
        Ops.gemm(dPre, previousOutputs(), gradWeightHh, true, false, 0.0);
    }
}
