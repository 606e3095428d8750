package rnn.train;

import java.util.List;
import java.util.Locale;

import rnn.InvalidConfigException;
import rnn.engine.AdaptiveOutput;
import rnn.engine.CellType;
import rnn.engine.ModelConfig;

/**
 * The network a run trains, apart from the vocabulary size that the data decides: cell, sizes,
 * input kind, dropout, tying and initialization. Stored in model.json; a resumed run keeps it.
 *
 * @param embedding embedding size, or 0 for one-hot input
 * @param softmax   the output: full, or adaptive (PyTorch's AdaptiveLogSoftmaxWithLoss); null (a model.json
 *                  written before there was a choice) reads as full
 * @param cutoffs   the adaptive softmax's cutoffs; null for the default of the vocabulary's size (see
 *                  {@link AdaptiveOutput#defaultFor}), which a run resolves before saving; null for full
 * @param divValue  the adaptive softmax's div_value; null for full
 * @param dropoutKind standard (a new mask per step) or locked (one mask per sequence, shared by its
 *                  steps); null (a model.json written before there was a choice) reads as standard
 * @param dropoute  embedding dropout: the rate at which whole word rows are dropped (0 = off, also
 *                  when model.json has no such field)
 * @param wdrop     weight drop: DropConnect rate on the recurrent weights W_hh (0 = off)
 */
public record NetworkConfig(CellType cell, int layers, int hidden, int embedding, double dropout, boolean tied,
                            String init, double initScale, double forgetBias, String softmax, List<Integer> cutoffs,
                            Double divValue, String dropoutKind, double dropoute, double wdrop) {
    public static final String FULL = "full";
    public static final String ADAPTIVE = "adaptive";
    public static final String STANDARD = "standard";
    public static final String LOCKED = "locked";

    public NetworkConfig {
        if (cell == null) {
            throw new InvalidConfigException("--cell needs a value");
        }
        TrainConfig.positive(layers, "--layers");
        TrainConfig.positive(hidden, "--hidden");
        if (embedding < 0) {
            throw new InvalidConfigException("--embedding must be positive, got " + embedding);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidConfigException("--dropout must be in [0, 1), got " + dropout);
        }
        if (tied && embedding != hidden) {
            throw new InvalidConfigException("--tied needs --embedding equal to --hidden, got "
                    + (embedding == 0 ? "--one-hot" : embedding) + " and " + hidden);
        }
        init = init == null ? "" : init.toLowerCase(Locale.ROOT);
        if (!init.equals("uniform") && !init.equals("glorot") && !init.equals("orthogonal")) {
            throw new InvalidConfigException("--init must be uniform, glorot or orthogonal, got '" + init + "'");
        }
        if (!(initScale > 0 && Double.isFinite(initScale))) {
            throw new InvalidConfigException("--init-scale must be positive, got " + initScale);
        }
        TrainConfig.finiteAsFloat(initScale, "--init-scale");
        TrainConfig.finiteAsFloat(forgetBias, "--forget-bias");
        dropoutKind = dropoutKind == null ? STANDARD : dropoutKind.toLowerCase(Locale.ROOT);
        if (!dropoutKind.equals(STANDARD) && !dropoutKind.equals(LOCKED)) {
            throw new InvalidConfigException("--dropout-kind must be standard or locked, got '" + dropoutKind + "'");
        }
        if (!(dropoute >= 0 && dropoute < 1)) {
            throw new InvalidConfigException("--dropoute must be in [0, 1), got " + dropoute);
        }
        if (dropoute > 0 && embedding == 0) {
            throw new InvalidConfigException("--dropoute needs an embedding (not --one-hot)");
        }
        if (!(wdrop >= 0 && wdrop < 1)) {
            throw new InvalidConfigException("--wdrop must be in [0, 1), got " + wdrop);
        }
        softmax = softmax == null ? FULL : softmax.toLowerCase(Locale.ROOT);
        if (softmax.equals(FULL)) {
            if (cutoffs != null) {
                throw new InvalidConfigException("--cutoffs needs --softmax adaptive");
            }
            divValue = null;
        } else if (softmax.equals(ADAPTIVE)) {
            divValue = divValue == null ? AdaptiveOutput.DEFAULT_DIV_VALUE : divValue;
            if (cutoffs != null) {
                cutoffs = List.copyOf(cutoffs);
                new AdaptiveOutput(cutoffs, divValue); // increasing, positive; the vocabulary size is checked later
            } else if (!(divValue > 0 && Double.isFinite(divValue))) {
                throw new InvalidConfigException("--div-value must be positive, got " + divValue);
            }
            if (tied) {
                throw new InvalidConfigException("--tied cannot be combined with --softmax adaptive (its head is not"
                        + " the embedding's shape); drop one of them");
            }
        } else {
            throw new InvalidConfigException("--softmax must be full or adaptive, got '" + softmax + "'");
        }
    }

    /** A network with the full softmax output. */
    public NetworkConfig(CellType cell, int layers, int hidden, int embedding, double dropout, boolean tied,
                         String init, double initScale, double forgetBias) {
        this(cell, layers, hidden, embedding, dropout, tied, init, initScale, forgetBias, FULL, null, null);
    }

    /** A network with standard dropout only: no locked dropout, embedding dropout or weight drop. */
    public NetworkConfig(CellType cell, int layers, int hidden, int embedding, double dropout, boolean tied,
                         String init, double initScale, double forgetBias, String softmax, List<Integer> cutoffs,
                         Double divValue) {
        this(cell, layers, hidden, embedding, dropout, tied, init, initScale, forgetBias, softmax, cutoffs, divValue,
                STANDARD, 0, 0);
    }

    public boolean lockedDropout() {
        return dropoutKind.equals(LOCKED);
    }

    public boolean adaptive() {
        return softmax.equals(ADAPTIVE);
    }

    /** The adaptive softmax for a vocabulary of {@code vocabularySize} ids (default cutoffs resolved), or null for full. */
    public AdaptiveOutput adaptiveOutput(int vocabularySize) {
        if (!adaptive()) {
            return null;
        }
        return cutoffs != null ? new AdaptiveOutput(cutoffs, divValue)
                : AdaptiveOutput.defaultFor(vocabularySize, hidden, divValue);
    }

    /** This network with its default cutoffs resolved for the vocabulary, as model.json stores it. */
    public NetworkConfig resolvedFor(int vocabularySize) {
        if (!adaptive() || cutoffs != null) {
            return this;
        }
        return new NetworkConfig(cell, layers, hidden, embedding, dropout, tied, init, initScale, forgetBias, softmax,
                adaptiveOutput(vocabularySize).cutoffs(), divValue, dropoutKind, dropoute, wdrop);
    }

    public boolean oneHot() {
        return embedding == 0;
    }

    /** The engine's architecture for a vocabulary of {@code vocabularySize} ids. */
    public ModelConfig architecture(int vocabularySize) {
        return new ModelConfig(cell, vocabularySize, embedding, hidden, layers, dropout, tied,
                adaptiveOutput(vocabularySize), lockedDropout(), dropoute, wdrop);
    }

    /**
     * {@code --cell rnn|lstm|gru} with {@code --gru-variant pytorch|classic} and, for rnn,
     * {@code --activation tanh|relu} (null: tanh).
     */
    public static CellType parseCell(String cell, String gruVariant, String activation) {
        if (gruVariant != null && !gruVariant.equalsIgnoreCase("pytorch") && !gruVariant.equalsIgnoreCase("classic")) {
            throw new InvalidConfigException("--gru-variant must be pytorch or classic, got '" + gruVariant + "'");
        }
        boolean relu = activation != null && activation.equalsIgnoreCase("relu");
        if (activation != null && !relu && !activation.equalsIgnoreCase("tanh")) {
            throw new InvalidConfigException("--activation must be tanh or relu, got '" + activation + "'");
        }
        String name = cell == null ? "" : cell.toLowerCase(Locale.ROOT);
        if (relu && !name.equals("rnn") && !name.equals("simplernn")) {
            throw new InvalidConfigException("--activation relu needs --cell rnn (LSTM and GRU gates keep their own"
                    + " activations), got --cell " + cell);
        }
        return switch (name) {
            case "rnn", "simplernn" -> relu ? CellType.RNN_RELU : CellType.RNN;
            case "lstm" -> CellType.LSTM;
            case "gru" -> "classic".equalsIgnoreCase(gruVariant) ? CellType.GRU_CLASSIC : CellType.GRU;
            default -> throw new InvalidConfigException("--cell must be rnn, lstm or gru, got '" + cell + "'");
        };
    }
}
