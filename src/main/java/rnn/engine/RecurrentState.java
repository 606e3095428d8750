package rnn.engine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hidden state (and LSTM cell state) of every layer for B sequences, carried from one batch to
 * the next in stream layout. Gradients never flow through it (truncated back-propagation).
 */
public final class RecurrentState {
    private final INDArray[] hidden;
    private final INDArray[] cell;

    private RecurrentState(INDArray[] hidden, INDArray[] cell) {
        this.hidden = hidden;
        this.cell = cell;
    }

    public static RecurrentState zeros(ModelConfig config, int batchSize, DataType dtype) {
        int layers = config.layers();
        INDArray[] hidden = new INDArray[layers];
        INDArray[] cell = config.cell() == CellType.LSTM ? new INDArray[layers] : null;
        for (int k = 0; k < layers; k++) {
            hidden[k] = Nd4j.zeros(dtype, batchSize, config.hiddenSize());
            if (cell != null) {
                cell[k] = Nd4j.zeros(dtype, batchSize, config.hiddenSize());
            }
        }
        return new RecurrentState(hidden, cell);
    }

    public int batchSize() {
        return (int) hidden[0].size(0);
    }

    /** Refuses a state made for another batch size or model: ND4J's assign would silently copy part of it. */
    void requireFits(ModelConfig config, int batchSize) {
        boolean fits = hidden.length == config.layers() && (cell != null) == (config.cell() == CellType.LSTM)
                && hidden[0].size(0) == batchSize && hidden[0].size(1) == config.hiddenSize();
        if (!fits) {
            throw new IllegalArgumentException("a recurrent state of " + hidden.length + " layers x "
                    + hidden[0].size(0) + " x " + hidden[0].size(1) + " does not fit a batch of " + batchSize
                    + " for " + config.layers() + " layers of " + config.cell() + " " + config.hiddenSize());
        }
    }

    /** Back to zeros (start of a new epoch or a new independent sequence). */
    public void reset() {
        for (INDArray h : hidden) {
            h.assign(0);
        }
        if (cell != null) {
            for (INDArray c : cell) {
                c.assign(0);
            }
        }
    }

    /** Sequence {@code row} alone back to zeros. */
    public void reset(int row) {
        for (INDArray h : hidden) {
            h.getRow(row).assign(0);
        }
        if (cell != null) {
            for (INDArray c : cell) {
                c.getRow(row).assign(0);
            }
        }
    }

    /**
     * A new state whose row i is this state's row {@code rows[i]} (rows may repeat), e.g. the
     * surviving hypotheses of a beam search, each carrying on from its parent's state.
     */
    public RecurrentState select(int[] rows) {
        INDArray[] h = new INDArray[hidden.length];
        INDArray[] c = cell == null ? null : new INDArray[cell.length];
        for (int k = 0; k < hidden.length; k++) {
            h[k] = hidden[k].getRows(rows);
            if (c != null) {
                c[k] = cell[k].getRows(rows);
            }
        }
        return new RecurrentState(h, c);
    }

    public RecurrentState copy() {
        INDArray[] h = new INDArray[hidden.length];
        INDArray[] c = cell == null ? null : new INDArray[cell.length];
        for (int k = 0; k < hidden.length; k++) {
            h[k] = hidden[k].dup();
            if (c != null) {
                c[k] = cell[k].dup();
            }
        }
        return new RecurrentState(h, c);
    }

    /** The state as named tensors ({@code state.hidden.l0}, {@code state.cell.l0}, ...), for checkpoints. */
    public Map<String, INDArray> tensors() {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (int k = 0; k < hidden.length; k++) {
            tensors.put("state.hidden.l" + k, hidden[k]);
            if (cell != null) {
                tensors.put("state.cell.l" + k, cell[k]);
            }
        }
        return tensors;
    }

    /** Copies values saved by {@link #tensors()} back in; shapes must match. */
    public void restore(Map<String, INDArray> saved) {
        tensors().forEach((name, target) -> {
            INDArray value = saved.get(name);
            if (value == null || !Arrays.equals(value.shape(), target.shape())) {
                throw new IllegalArgumentException("saved recurrent state lacks " + name + " of shape "
                        + Arrays.toString(target.shape()));
            }
            target.assign(value);
        });
    }

    INDArray hidden(int layer) {
        return hidden[layer];
    }

    /** The LSTM cell state, or null for cells without one. */
    INDArray cell(int layer) {
        return cell == null ? null : cell[layer];
    }
}
