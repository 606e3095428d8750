package rnn.engine;

/**
 * The recurrent cell, with its number of gate blocks G (weights are [G*H, In] and [G*H, H]).
 * Gate order inside a block is PyTorch's, so saved weights load there unchanged.
 */
public enum CellType {
    /** Elman / Keras SimpleRNN: h = tanh(W_ih x + b_ih + W_hh h + b_hh). */
    RNN(1),
    /**
     * The same with ReLU, h = max(0, W_ih x + b_ih + W_hh h + b_hh): Keras SimpleRNN(activation='relu'),
     * PyTorch nn.RNN(nonlinearity='relu') (its mode RNN_RELU), whose weights have the same names.
     */
    RNN_RELU(1),
    /** LSTM, gates i, f, g, o. */
    LSTM(4),
    /** GRU as in cuDNN, PyTorch and Keras 3 (reset applied after the recurrent product), gates r, z, n. */
    GRU(3),
    /** GRU as in Cho et al. 2014 (reset applied to h before the product; h = z*n + (1-z)*h), gates r, z, n. */
    GRU_CLASSIC(3);

    private final int gates;

    CellType(int gates) {
        this.gates = gates;
    }

    public int gates() {
        return gates;
    }
}
