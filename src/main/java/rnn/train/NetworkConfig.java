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

    /** {@code --cell rnn|lstm|gru} with {@code --gru-variant pytorch|classic}. */
    public static CellType parseCell(String cell, String gruVariant) {
        if (gruVariant != null && !gruVariant.equalsIgnoreCase("pytorch") && !gruVariant.equalsIgnoreCase("classic")) {
            throw new InvalidConfigException("--gru-variant must be pytorch or classic, got '" + gruVariant + "'");
        }
        return switch (cell == null ? "" : cell.toLowerCase(Locale.ROOT)) {
            case "rnn", "simplernn" -> CellType.RNN;
            case "lstm" -> CellType.LSTM;
            case "gru" -> "classic".equalsIgnoreCase(gruVariant) ? CellType.GRU_CLASSIC : CellType.GRU;
            default -> throw new InvalidConfigException("--cell must be rnn, lstm or gru, got '" + cell + "'");
        };
    }
}
