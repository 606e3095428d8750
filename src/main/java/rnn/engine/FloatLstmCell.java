package rnn.engine;

import rnn.engine.kernel.Activations;
import rnn.engine.kernel.HostCopy;
import rnn.engine.kernel.PanelWeights;
import rnn.engine.kernel.SmallGemm;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link LstmCell} in float, for float models: the gates, cell states and their gradients stay
 * float, so no widening copies (a scalar loop to C2) and twice the lanes per vector. Same maths,
 * same order; sigmoid and tanh from {@link Activations}' float versions (absolute error 1e-6).
 */
final class FloatLstmCell extends RecurrentCell {
    /**
     * The most rows a step's product runs in {@link SmallGemm} when the model has step weights:
     * at 200 x 800 it beat OpenBLAS's Haswell kernels from 1 row (12 times) to 8 (twice), and
     * matched them at 20 (StepProductRate).
     */
    static final int MAX_SMALL_ROWS = 16;
    /**
     * The fewest steps for which a training pass copies W_hh to the heap for {@link PanelWeights}
     * (training's chunks have 20-35): the copy costs about one step's product. Inference keeps
     * its own kernels (SmallGemm, OpenBLAS), whose bits the scoring paths agree on.
     */
    static final int MIN_PANEL_STEPS = 4;
    private final int h;
    private final int width;
    /** [N, 4H]: i, f, g, o of every step. */
    private final float[] gates;
    /** [(T+1)*B, H]: block 0 the initial cell state, block t+1 the cell state after step t. */
    private final float[] cells;
    /** [N, H]: tanh(c) of every step. */
    private final float[] tanhCells;
    /** [B, H]: one step's h, or the gradient arriving at it. */
    private final float[] stepHidden;
    /** [B, H]: gradient at the cell state, carried back through time. */
    private final float[] dCell;
    /** [B, 4H]: one step's gate pre-activation gradients. */
    private final float[] stepGates;
    /** [B, H] of zeros, the initial h. */
    private final float[] zeroState;
    private final HostCopy host = new HostCopy();
    /** pre's and out's memory, made once: a view per step costs a JNI call and a buffer object each. */
    private FloatBuffer preFloats;
    private FloatBuffer outFloats;
    /** [B][4H]: {@link SmallGemm}'s accumulators, made on first use. */
    private float[][] smallRows;
    /** W_hh^T [H, 4H] and W_hh [4H, H] on the heap for the steps' products, made on first use. */
    private PanelWeights forwardWeights;
    private PanelWeights backwardWeights;
    /** Whether this training pass runs its steps' products in {@link #forwardWeights} and {@link #backwardWeights}. */
    private boolean panels;

    FloatLstmCell(int batch, int steps, int hidden, DataType dtype) {
        super(4, batch, steps, hidden, dtype);
        h = hidden;
        width = 4 * hidden;
        gates = new float[rowsTotal * width];
        cells = new float[(steps + 1) * batch * hidden];
        tanhCells = new float[rowsTotal * hidden];
        stepHidden = new float[batch * hidden];
        dCell = new float[batch * hidden];
        stepGates = new float[batch * width];
        zeroState = new float[batch * hidden];
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

    /** h = 0 and c = 0, h by a host copy of zeros: an ND4J assign costs more in dispatch than the copy. */
    @Override
    void loadZeroState() {
        host.write(zeroState, 0, outStep[0]);
        Arrays.fill(cells, 0, batch * h, 0f);
    }

    @Override
    void saveState(RecurrentState state, int layer) {
        super.saveState(state, layer);
        host.write(cells, steps * batch * h, state.cell(layer));
    }

    @Override
    void forward(INDArray weightHh, INDArray biasHh) {
        panels = backwardFollows && steps >= MIN_PANEL_STEPS;
        if (panels) {
            if (forwardWeights == null) {
                forwardWeights = PanelWeights.create(h, width);
            }
            host.read(weightHh, forwardWeights.source(), 0);
            forwardWeights.pack(true);
        }
        for (int t = 0; t < steps; t++) {
            forwardStep(t, weightHh);
        }
    }

    // One step, and below it one row at a time: small methods that C2 compiles once each, early
    // and quickly, instead of recompiling one large loop nest (see HostCopy).
    private void forwardStep(int t, INDArray weightHh) {
        if (preFloats == null) {
            preFloats = HostCopy.floats(pre);
            outFloats = HostCopy.floats(out);
        }
        int gateBase = t * batch * width;
        boolean small = stepWeights != null && startedRows <= MAX_SMALL_ROWS;
        if (small || panels) {
            // h_prev is last step's stepHidden, or the loaded state at step 0.
            if (t == 0) {
                outFloats.get(0, stepHidden, 0, batch * h);  // outStep[0]
            }
            preFloats.get(gateBase, gates, gateBase, batch * width);  // preStep[t]
            if (panels) {
                forwardWeights.multiplyAdd(stepHidden, 0, h, startedRows, gates, gateBase, width);
            } else {
                if (smallRows == null) {
                    smallRows = new float[batch][width];
                }
                SmallGemm.multiplyAdd(stepHidden, 0, h, startedRows, stepWeights, gates, gateBase, width, smallRows);
            }
        } else {
            if (weightHhTransposed != null) {
                Ops.gemmTiled(outStep[t], weightHhTransposed, preStep[t], 1.0, startedRows);
            } else {
                Ops.gemm(outStep[t], weightHh, preStep[t], false, true, 1.0);
            }
            preFloats.get(gateBase, gates, gateBase, batch * width);  // preStep[t]
        }
        int unitBase = t * batch * h;
        for (int b = 0; b < batch; b++) {
            int row = gateBase + b * width;
            int unit = unitBase + b * h;
            if (notStarted(b, t)) {  // held at the zero state: c = 0 (and h = 0 below)
                Arrays.fill(cells, unit + batch * h, unit + batch * h + h, 0f);
                Arrays.fill(tanhCells, unit, unit + h, 0f);
                continue;
            }
            activate(gates, row, h);
            updateCell(gates, row, h, cells, unit, unit + batch * h, tanhCells);
        }
        Activations.tanh(tanhCells, unitBase, unitBase + batch * h);
        for (int b = 0; b < batch; b++) {
            if (notStarted(b, t)) {
                Arrays.fill(stepHidden, b * h, b * h + h, 0f);
                continue;
            }
            outputRow(gates, gateBase + b * width + 3 * h, tanhCells, unitBase + b * h, stepHidden, b * h, h);
        }
        outFloats.put((t + 1) * batch * h, stepHidden, 0, batch * h);  // outStep[t + 1]
    }

    /** i, f, o through the sigmoid and g through tanh, in place, for one row of gates. */
    private static void activate(float[] gates, int row, int h) {
        Activations.sigmoid(gates, row, row + 2 * h);
        Activations.tanh(gates, row + 2 * h, row + 3 * h);
        Activations.sigmoid(gates, row + 3 * h, row + 4 * h);
    }

    /** c = f * c_prev + i * g into cells[next..] and, for tanh, tanhCells[unit..]. */
    private static void updateCell(float[] gates, int row, int h, float[] cells, int unit, int next,
                                   float[] tanhCells) {
        for (int j = 0; j < h; j++) {
            float c = gates[row + h + j] * cells[unit + j] + gates[row + j] * gates[row + 2 * h + j];
            cells[next + j] = c;
            tanhCells[unit + j] = c;
        }
    }

    /** h = o * tanh(c). */
    private static void outputRow(float[] gates, int outputGate, float[] tanhCells, int unit, float[] hidden,
                                  int at, int h) {
        for (int j = 0; j < h; j++) {
            hidden[at + j] = gates[outputGate + j] * tanhCells[unit + j];
        }
    }

    @Override
    void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones) {
        if (panels) {
            if (backwardWeights == null) {
                backwardWeights = PanelWeights.create(width, h);
            }
            host.read(weightHh, backwardWeights.source(), 0);
            backwardWeights.pack(false);
        }
        Arrays.fill(dCell, 0f);
        for (int t = steps - 1; t >= 0; t--) {
            host.read(dOutStep[t + 1], stepHidden, 0);
            for (int b = 0; b < batch; b++) {
                int row = (t * batch + b) * width;
                int unit = (t * batch + b) * h;
                int out = b * width;
                int local = b * h;
                for (int j = 0; j < h; j++) {
                    float i = gates[row + j];
                    float f = gates[row + h + j];
                    float g = gates[row + 2 * h + j];
                    float o = gates[row + 3 * h + j];
                    float tc = tanhCells[unit + j];
                    float dh = stepHidden[local + j];
                    float dc = dCell[local + j] + dh * o * (1f - tc * tc);
                    stepGates[out + j] = dc * g * i * (1f - i);
                    stepGates[out + h + j] = dc * cells[unit + j] * f * (1f - f);
                    stepGates[out + 2 * h + j] = dc * i * (1f - g * g);
                    stepGates[out + 3 * h + j] = dh * tc * o * (1f - o);
                    dCell[local + j] = dc * f;
                }
            }
            host.write(stepGates, 0, dPreStep[t]);
            if (panels) {
                // dh_{t-1} += dgates_t W_hh, on the heap: stepHidden is free until the next step reads it back.
                host.read(dOutStep[t], stepHidden, 0);
                backwardWeights.multiplyAdd(stepGates, 0, width, batch, stepHidden, 0, h);
                host.write(stepHidden, 0, dOutStep[t]);
            } else {
                Ops.gemm(dPreStep[t], weightHh, dOutStep[t], false, false, 1.0);
            }
        }
        Ops.gemm(dPre, previousOutputs(), gradWeightHh, true, false, 0.0);
    }
}
