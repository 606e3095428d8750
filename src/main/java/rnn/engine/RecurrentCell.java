package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The recurrence of one layer over T steps of B sequences, forward and backward, for a fixed
 * batch shape. The input side (x W_ih^T + b_ih for all steps at once, and its gradients) is done
 * by the model; a cell gets those pre-activations in {@link #pre} and returns their gradient in
 * {@link #dPre}. Buffers are time-major: row t*B + b is sequence b at step t. The output buffer
 * has one extra leading block holding the initial state, so "previous h" for all steps is one
 * contiguous view.
 */
abstract class RecurrentCell {
    final int batch;
    final int steps;
    final int hidden;
    final int rowsTotal;
    /** [N, G*H]: input pre-activations on entry to forward (cells may overwrite it). */
    final INDArray pre;
    /** [N, G*H]: gradient of the loss with respect to {@link #pre}'s input part. */
    final INDArray dPre;
    /** [(T+1)*B, H]: block 0 is the initial hidden state, block t+1 the output of step t. */
    final INDArray out;
    /** Same shape as out: gradient arriving at each output (and, in block 0, at the initial state). */
    final INDArray dOut;
    final INDArray[] preStep;
    final INDArray[] dPreStep;
    final INDArray[] outStep;
    final INDArray[] dOutStep;
    /** A [B, H] scratch buffer. */
    final INDArray scratch;
    /**
     * The step at which each sequence starts (left-padded contexts of different lengths read side
     * by side), or null when all start at step 0. Before its start a sequence is held at the zero
     * state, so from its first step on it computes what it would alone.
     */
    int[] firstSteps;
    /**
     * The rows up to the last one that ever starts ({@link #firstSteps}): the rows after it are a
     * batch's padding, which the serving step products skip; all rows when nothing is padded.
     */
    int startedRows;
    /** W_hh transposed, [H, G*H] row-major, for a model made for serving (see LanguageModel#forServing), else null. */
    INDArray weightHhTransposed;
    /** W_hh^T as heap rows for {@link rnn.engine.kernel.SmallGemm} (see LanguageModel#withStepWeights), else null. */
    float[][] stepWeights;
    /** True while a forward pass runs whose backward pass follows (training), false for inference. */
    boolean backwardFollows;

    RecurrentCell(int gates, int batch, int steps, int hidden, DataType dtype) {
        this.batch = batch;
        this.steps = steps;
        this.hidden = hidden;
        this.rowsTotal = batch * steps;
        this.pre = Nd4j.create(dtype, rowsTotal, (long) gates * hidden);
        this.dPre = Nd4j.create(dtype, rowsTotal, (long) gates * hidden);
        this.out = Nd4j.create(dtype, (long) (steps + 1) * batch, hidden);
        this.dOut = Nd4j.create(dtype, (long) (steps + 1) * batch, hidden);
        this.preStep = Ops.blocks(pre, steps, batch);
        this.dPreStep = Ops.blocks(dPre, steps, batch);
        this.outStep = Ops.blocks(out, steps + 1, batch);
        this.dOutStep = Ops.blocks(dOut, steps + 1, batch);
        this.scratch = Nd4j.create(dtype, batch, hidden);
    }

    static RecurrentCell create(CellType type, int batch, int steps, int hidden, DataType dtype) {
        return switch (type) {
            case RNN -> new SimpleRnnCell(batch, steps, hidden, dtype, false);
            case RNN_RELU -> new SimpleRnnCell(batch, steps, hidden, dtype, true);
            case LSTM -> dtype == DataType.FLOAT ? new FloatLstmCell(batch, steps, hidden, dtype)
                    : new LstmCell(batch, steps, hidden, dtype);
            case GRU -> new GruCell(batch, steps, hidden, dtype);
            case GRU_CLASSIC -> new ClassicGruCell(batch, steps, hidden, dtype);
        };
    }

    /** True if b_hh can be added to the input pre-activations in bulk (it sits outside any gate product). */
    abstract boolean foldsHiddenBias();

    /** Runs the recurrence; {@link #pre} holds x W_ih^T + b_ih (+ b_hh if folded). */
    abstract void forward(INDArray weightHh, INDArray biasHh);

    /**
     * Back-propagates from {@link #dOut} (blocks 1..T filled by the caller) through time, writing
     * {@link #dPre} and accumulating the recurrent weight gradients (and b_hh's, if not folded).
     */
    abstract void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones);

    /** The H-wide gate blocks of a [rows, G*H] matrix, as column views. */
    final INDArray[] gateBlocks(INDArray m, int gates) {
        INDArray[] views = new INDArray[gates];
        for (int g = 0; g < gates; g++) {
            views[g] = Ops.cols(m, (long) g * hidden, (long) (g + 1) * hidden);
        }
        return views;
    }

    /** [N, H] view of the outputs of all steps. */
    final INDArray outputs() {
        return Ops.rows(out, batch, (long) (steps + 1) * batch);
    }

    /** [N, H] view of the previous hidden state for all steps (h_{-1} .. h_{T-2}). */
    final INDArray previousOutputs() {
        return Ops.rows(out, 0, rowsTotal);
    }

    /** [N, H] view of the gradients arriving at the outputs of all steps. */
    final INDArray outputGradients() {
        return Ops.rows(dOut, batch, (long) (steps + 1) * batch);
    }

    /** Sets {@link #firstSteps} and, from it, {@link #startedRows}. */
    final void startAt(int[] firstSteps) {
        this.firstSteps = firstSteps;
        startedRows = batch;
        while (firstSteps != null && startedRows > 0 && firstSteps[startedRows - 1] >= steps) {
            startedRows--;
        }
    }

    /** True if sequence {@code b} has not started at step {@code t} (see {@link #firstSteps}). */
    final boolean notStarted(int b, int t) {
        return firstSteps != null && t < firstSteps[b];
    }

    /**
     * For cells whose whole state is their output: puts the sequences that have not started at
     * step {@code t} back to zero after it. (The LSTMs skip those rows in their own step instead.)
     */
    final void holdUnstarted(int t) {
        if (firstSteps == null) {
            return;
        }
        for (int b = 0; b < batch; b++) {
            if (notStarted(b, t)) {
                outStep[t + 1].getRow(b).assign(0);
            }
        }
    }

    /** The zero initial state (no state carried in). */
    void loadZeroState() {
        outStep[0].assign(0);
    }

    void loadState(RecurrentState state, int layer) {
        outStep[0].assign(state.hidden(layer));
    }

    void saveState(RecurrentState state, int layer) {
        state.hidden(layer).assign(outStep[steps]);
    }
}
