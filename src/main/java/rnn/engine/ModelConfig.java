package rnn.engine;

import java.util.Objects;

import rnn.InvalidConfigException;

/**
 * The architecture of a language model: what a checkpoint must record to rebuild it.
 *
 * @param cell          recurrent cell type
 * @param vocabSize     V, the number of token ids (input and output)
 * @param embeddingSize E, or 0 for one-hot input (layer 0 then reads columns of its input weights)
 * @param hiddenSize    H, units per recurrent layer
 * @param layers        number of stacked recurrent layers
 * @param dropout       inverted-dropout rate on each layer's input and before the decoder (0 = off)
 * @param tied          decoder weight shared with the embedding (needs E == H)
 * @param adaptive      an adaptive softmax output instead of the full decoder, or null for the full one
 * @param lockedDropout {@code dropout}'s masks drawn once per sequence and shared by all its steps
 *                      (variational or locked dropout, Gal and Ghahramani 2016) instead of per step
 * @param embeddingDropout rate at which whole embedding rows (words) are dropped in a batch, the
 *                      rest scaled by 1/(1-rate) (AWD-LSTM's dropoute; 0 = off)
 * @param weightDrop    DropConnect rate on each layer's W_hh, one mask per batch (AWD-LSTM's wdrop; 0 = off)
 */
public record ModelConfig(CellType cell, int vocabSize, int embeddingSize, int hiddenSize, int layers,
                          double dropout, boolean tied, AdaptiveOutput adaptive, boolean lockedDropout,
                          double embeddingDropout, double weightDrop) {
    /** Most elements one parameter tensor may have: the largest Java array, and what a checkpoint reader accepts. */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;

    public ModelConfig {
        Objects.requireNonNull(cell, "cell");
        if (vocabSize < 2) {
            throw new InvalidConfigException("vocabulary size must be at least 2, got " + vocabSize);
        }
        if (embeddingSize < 0) {
            throw new InvalidConfigException("--embedding must be positive (or use --one-hot), got " + embeddingSize);
        }
        if (hiddenSize < 1) {
            throw new InvalidConfigException("--hidden must be positive, got " + hiddenSize);
        }
        if (layers < 1) {
            throw new InvalidConfigException("--layers must be positive, got " + layers);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidConfigException("--dropout must be in [0, 1), got " + dropout);
        }
        if (!(embeddingDropout >= 0 && embeddingDropout < 1)) {
            throw new InvalidConfigException("--dropoute must be in [0, 1), got " + embeddingDropout);
        }
        if (embeddingDropout > 0 && embeddingSize == 0) {
            throw new InvalidConfigException("--dropoute needs an embedding (not --one-hot)");
        }
        if (!(weightDrop >= 0 && weightDrop < 1)) {
            throw new InvalidConfigException("--wdrop must be in [0, 1), got " + weightDrop);
        }
        if (tied && embeddingSize == 0) {
            throw new InvalidConfigException("--tied needs an embedding (not --one-hot)");
        }
        if (tied && embeddingSize != hiddenSize) {
            throw new InvalidConfigException("--tied needs --embedding equal to --hidden, got "
                    + embeddingSize + " and " + hiddenSize);
        }
        if (adaptive != null) {
            if (tied) {
                // PyTorch's module has no tying, and a head of c0 + clusters rows cannot share the
                // [V, E] embedding as a whole: refused rather than stored in names it would not load.
                throw new InvalidConfigException("--tied cannot be combined with --softmax adaptive (its head is not"
                        + " the embedding's shape); drop one of them");
            }
            adaptive.requireFits(vocabSize, hiddenSize);
        }
        // The largest tensors, checked before anything is allocated (ParameterShapes.of lists them all).
        long gateRows = (long) cell.gates() * hiddenSize;
        if (embeddingSize > 0) {
            requireOneArray(ParameterShapes.EMBEDDING, vocabSize, embeddingSize);
        }
        requireOneArray(ParameterShapes.weightIh(0), gateRows, embeddingSize > 0 ? embeddingSize : vocabSize);
        requireOneArray(ParameterShapes.weightHh(0), gateRows, hiddenSize);
        if (adaptive == null) {
            requireOneArray(ParameterShapes.DECODER_WEIGHT, vocabSize, hiddenSize);
        }
    }

    /** A model with the full softmax decoder. */
    public ModelConfig(CellType cell, int vocabSize, int embeddingSize, int hiddenSize, int layers, double dropout,
                       boolean tied) {
        this(cell, vocabSize, embeddingSize, hiddenSize, layers, dropout, tied, null);
    }

    /** A model with per-step dropout only (no locked dropout, embedding dropout or weight drop). */
    public ModelConfig(CellType cell, int vocabSize, int embeddingSize, int hiddenSize, int layers, double dropout,
                       boolean tied, AdaptiveOutput adaptive) {
        this(cell, vocabSize, embeddingSize, hiddenSize, layers, dropout, tied, adaptive, false, 0, 0);
    }

    /** This architecture with other training-time regularisers (they change no parameter). */
    public ModelConfig withRegularizers(boolean locked, double embeddingRate, double weightRate) {
        return new ModelConfig(cell, vocabSize, embeddingSize, hiddenSize, layers, dropout, tied, adaptive, locked,
                embeddingRate, weightRate);
    }

    /** Whether a training pass draws any random mask. */
    public boolean regularized() {
        return dropout > 0 || embeddingDropout > 0 || weightDrop > 0;
    }

    public boolean hasAdaptiveOutput() {
        return adaptive != null;
    }

    private static void requireOneArray(String tensor, long rows, long columns) {
        long elements;
        try {
            elements = Math.multiplyExact(rows, columns);
        } catch (ArithmeticException overflow) {
            elements = Long.MAX_VALUE;
        }
        if (elements > MAX_TENSOR_ELEMENTS) {
            throw new InvalidConfigException("the model is too large: " + tensor + " would be " + rows + " x " + columns
                    + ", more than the " + MAX_TENSOR_ELEMENTS + " elements one array holds; use a smaller --hidden,"
                    + " --embedding or vocabulary (--max-vocab)");
        }
    }

    public boolean oneHot() {
        return embeddingSize == 0;
    }

    /** Width of the input of recurrent layer k. */
    public int inputSize(int layer) {
        return layer > 0 ? hiddenSize : oneHot() ? vocabSize : embeddingSize;
    }
}
