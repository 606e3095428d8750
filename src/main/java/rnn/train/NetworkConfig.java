package rnn.train;

import java.util.Locale;

import rnn.InvalidConfigException;
import rnn.engine.CellType;
import rnn.engine.ModelConfig;

/**
 * The network a run trains, apart from the vocabulary size that the data decides: cell, sizes,
 * input kind, dropout, tying and initialization. Stored in model.json; a resumed run keeps it.
 *
 * @param embedding embedding size, or 0 for one-hot input
 */
public record NetworkConfig(CellType cell, int layers, int hidden, int embedding, double dropout, boolean tied,
                            String init, double initScale, double forgetBias) {

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
        if (!init.equals("uniform") && !init.equals("glorot")) {
            throw new InvalidConfigException("--init must be uniform or glorot, got '" + init + "'");
        }
        if (!(initScale > 0 && Double.isFinite(initScale))) {
            throw new InvalidConfigException("--init-scale must be positive, got " + initScale);
        }
        TrainConfig.finiteAsFloat(initScale, "--init-scale");
        TrainConfig.finiteAsFloat(forgetBias, "--forget-bias");
    }

    public boolean oneHot() {
        return embedding == 0;
    }

    /** The engine's architecture for a vocabulary of {@code vocabularySize} ids. */
    public ModelConfig architecture(int vocabularySize) {
        return new ModelConfig(cell, vocabularySize, embedding, hidden, layers, dropout, tied);
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
