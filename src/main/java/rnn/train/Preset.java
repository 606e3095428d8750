package rnn.train;

import java.util.Locale;
import java.util.Map;

import rnn.InvalidConfigException;

/**
 * Named configurations for known setups; options given on the command line override them.
 * Keys are option names without dashes.
 */
public enum Preset {
    /** What `rnn train corpus.txt` gets: a small word-level LSTM with an embedding, dropout and validation. */
    DEFAULT(Map.ofEntries(
            Map.entry("tokenizer", "word"), Map.entry("window", 20), Map.entry("stride", 10),
            Map.entry("objective", "all"), Map.entry("stateful", false),
            Map.entry("cell", "lstm"), Map.entry("layers", 1), Map.entry("hidden", 128), Map.entry("embedding", 64),
            Map.entry("dropout", 0.1), Map.entry("init", "uniform"), Map.entry("init-scale", 0.1),
            Map.entry("epochs", 20), Map.entry("batch-size", 32), Map.entry("optimizer", "adam"),
            Map.entry("lr", 0.003), Map.entry("clip", 1.0), Map.entry("validation-split", 0.1),
            Map.entry("patience", 3))),
    /**
     * The Keras tutorial the project started from: \w+ tokens, windows of 10 with stride 1, one-hot
     * input, LSTM 128, RMSprop 0.01, batch 128, predict after the last position, 10% validation.
     */
    SEED(Map.ofEntries(
            Map.entry("tokenizer", "regex:\\w+"), Map.entry("window", 10), Map.entry("stride", 1),
            Map.entry("objective", "last"), Map.entry("stateful", false),
            Map.entry("cell", "lstm"), Map.entry("layers", 1), Map.entry("hidden", 128), Map.entry("embedding", 0),
            Map.entry("dropout", 0.0), Map.entry("init", "glorot"), Map.entry("init-scale", 0.05),
            Map.entry("epochs", 10), Map.entry("batch-size", 128), Map.entry("optimizer", "rmsprop"),
            Map.entry("lr", 0.01), Map.entry("clip", 0.0), Map.entry("validation-split", 0.1),
            Map.entry("patience", 0))),
    /**
     * Zaremba et al. 2014 "small": 2x200 LSTM, embedding 200, 20 streams in chunks of 20, SGD,
     * uniform(0.1) init, 13 epochs, lr halved after epoch 4. Their lr 1 and clip 5 apply to the loss
     * summed over 20 steps; on the per-token mean loss used here they are lr 20 and clip 0.25.
     */
    PTB_SMALL(Map.ofEntries(
            Map.entry("tokenizer", "whitespace"), Map.entry("window", 20), Map.entry("stride", 20),
            Map.entry("objective", "all"), Map.entry("stateful", true),
            Map.entry("cell", "lstm"), Map.entry("layers", 2), Map.entry("hidden", 200), Map.entry("embedding", 200),
            Map.entry("dropout", 0.0), Map.entry("init", "uniform"), Map.entry("init-scale", 0.1),
            Map.entry("epochs", 13), Map.entry("batch-size", 20), Map.entry("optimizer", "sgd"),
            Map.entry("lr", 20.0), Map.entry("clip", 0.25), Map.entry("lr-decay", 0.5), Map.entry("decay-after", 4),
            Map.entry("validation-split", 0.0), Map.entry("patience", 0))),
    /**
     * ptb-small made better within an hour of CPU training: the decoder tied to the embedding
     * (Press and Wolf 2017, Inan et al. 2017), dropout 0.2 on every layer's input and output, and
     * chunks of 35 as in PyTorch's word_language_model; 8 epochs, lr halved after epoch 4.
     */
    PTB_TIED(Map.ofEntries(
            Map.entry("tokenizer", "whitespace"), Map.entry("window", 35), Map.entry("stride", 35),
            Map.entry("objective", "all"), Map.entry("stateful", true),
            Map.entry("cell", "lstm"), Map.entry("layers", 2), Map.entry("hidden", 200), Map.entry("embedding", 200),
            Map.entry("tied", true), Map.entry("dropout", 0.2), Map.entry("init", "uniform"), Map.entry("init-scale", 0.1),
            Map.entry("epochs", 8), Map.entry("batch-size", 20), Map.entry("optimizer", "sgd"),
            Map.entry("lr", 20.0), Map.entry("clip", 0.25), Map.entry("lr-decay", 0.5), Map.entry("decay-after", 4),
            Map.entry("validation-split", 0.0), Map.entry("patience", 0)));

    private final Map<String, Object> values;

    Preset(Map<String, Object> values) {
        this.values = values;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The preset's value for an option, or null if it leaves the option at the tool's default. */
    public Object value(String option) {
        return values.get(option);
    }

    public static Preset parse(String name) {
        for (Preset preset : values()) {
            if (preset.cliName().equalsIgnoreCase(name)) {
                return preset;
            }
        }
        String names = String.join(", ", java.util.Arrays.stream(values()).map(Preset::cliName).toList());
        throw new InvalidConfigException("--preset must be one of " + names + "; got '" + name + "'");
    }
}
