package rnn.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import rnn.InvalidConfigException;

/**
 * Named configurations, and the one table of defaults: {@link #DEFAULT} gives every training option
 * its value, each other preset overrides some of them, and options given on the command line
 * override the preset. Keys are option names without dashes, values as they are typed.
 */
public enum Preset {
    /** What `rnn train corpus.txt` gets: a small word-level LSTM with an embedding, dropout and validation. */
    DEFAULT("a small word-level LSTM with an embedding, dropout and 10% validation", null, new String[] {
            "tokenizer", "word", "lowercase", "false", "min-count", "1", "max-vocab", "0",
            "window", "20", "stride", "10", "objective", "all", "stateful", "false", "validation-split", "0.1",
            "cell", "lstm", "gru-variant", "pytorch", "activation", "tanh", "layers", "1", "hidden", "128", "embedding", "64",
            "dropout", "0.1", "dropout-kind", "standard", "dropoute", "0", "wdrop", "0", "tied", "false", "init", "uniform", "init-scale", "0.1", "forget-bias", "0",
            "softmax", "full", "cutoffs", "auto", "div-value", "2",
            "loss", "crossentropy", "optimizer", "adam", "lr", "0.003", "momentum", "0", "lr-decay", "1",
            "decay-after", "0", "decay-on-plateau", "false", "clip", "1", "epochs", "20", "batch-size", "32",
            "shuffle", "true", "patience", "3", "seed", "1",
            "threads", "0", "save-every", "0", "max-batches", "0"}),
    /**
     * The Keras tutorial the project started from: \w+ tokens, windows of 10 with stride 1, one-hot
     * input, LSTM 128, RMSprop 0.01 (Keras' rho 0.9 and epsilon 1e-7), batch 128, predict after the
     * last position, 10% validation, 30 epochs. Keras' LSTM defaults: orthogonal recurrent kernels,
     * Glorot-uniform kernels, zero biases but the forget gate's 1. Keras' categorical cross-entropy
     * clips the softmax output to [1e-7, 1 - 1e-7], which for one-hot targets is kld here: a
     * window's loss stops at 16.12, as happens to the validation part's words that training never
     * shows (the Gutenberg licence).
     */
    SEED("the Keras tutorial: \\w+ tokens, windows of 10, one-hot LSTM 128, RMSprop 0.01, batch 128",
            DEFAULT, new String[] {
            "tokenizer", "regex:\\w+", "window", "10", "stride", "1", "objective", "last",
            "embedding", "0", "dropout", "0", "init", "orthogonal", "forget-bias", "1", "loss", "kld",
            "epochs", "30", "batch-size", "128", "optimizer", "rmsprop", "lr", "0.01", "clip", "0", "patience", "0"}),
    /**
     * Zaremba et al. 2014 "small": 2x200 LSTM, embedding 200, 20 streams in chunks of 20, SGD,
     * uniform(0.1) init, 13 epochs, lr halved after epoch 4. Their lr 1 and clip 5 apply to the loss
     * summed over 20 steps; on the per-token mean loss used here they are lr 20 and clip 0.25.
     */
    PTB_SMALL("Zaremba et al. 2014's small Penn Treebank model: 2x200 LSTM streams, SGD lr 20", DEFAULT,
            new String[] {
            "tokenizer", "whitespace", "window", "20", "stride", "20", "stateful", "true", "validation-split", "0",
            "layers", "2", "hidden", "200", "embedding", "200", "dropout", "0",
            "epochs", "13", "batch-size", "20", "optimizer", "sgd", "lr", "20", "clip", "0.25",
            "lr-decay", "0.5", "decay-after", "4", "patience", "0"}),
    /**
     * ptb-small made better within an hour of CPU training: the decoder tied to the embedding
     * (Press and Wolf 2017, Inan et al. 2017), dropout 0.2 on every layer's input and output, and
     * chunks of 35 as in PyTorch's word_language_model; 8 epochs, lr halved after epoch 4.
     */
    PTB_TIED("ptb-small tied, dropout 0.2, chunks of 35, 8 epochs: the better model within an hour", PTB_SMALL,
            new String[] {"window", "35", "stride", "35", "tied", "true", "dropout", "0.2", "epochs", "8"}),
    /**
     * The best Penn Treebank model for an hour of training on two cores: ptb-tied at 2x300 with
     * dropout 0.35; 11 epochs, the first 9 at lr 20, then lr quartered after epochs 9 and 10 (5,
     * then 1.25): 58.1 minutes at 2,903 tokens/s on a 2-core AMD EPYC with training's step kernel.
     * Chosen on validation among runs that fit the hour: this schedule ended at 92.74, 10 epochs
     * (quartered after 8 and 9) at 93.71, 9 (after 7 and 8) at 94.85, halving after each epoch from
     * epoch 5 on at 95.17, 2x400 with dropout 0.4 (6 epochs then, 1,795 tokens/s) at 105.67, ptb-tied
     * (2x200) at 100.50. Standard dropout was chosen over locked dropout, dropoute and wdrop after
     * 400 batches at 2x400 (388.9 against 410.8 and 412.8).
     */
    PTB_BEST("ptb-tied at 2x300 with dropout 0.35, 11 epochs: the best model within an hour on 2 cores", PTB_TIED,
            new String[] {"hidden", "300", "embedding", "300", "dropout", "0.35", "epochs", "11", "decay-after", "9",
                "lr-decay", "0.25"});

    private final String description;
    private final Map<String, String> values;
    private final Map<String, String> overrides;

    Preset(String description, Preset base, String[] pairs) {
        this.description = description;
        this.overrides = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            overrides.put(pairs[i], pairs[i + 1]);
        }
        Map<String, String> all = new LinkedHashMap<>(base == null ? Map.of() : base.values);
        all.putAll(overrides);
        this.values = Map.copyOf(all);
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String description() {
        return description;
    }

    /** The preset's value for an option (name without dashes) as typed on the command line, or null if it has none. */
    public String value(String option) {
        return values.get(option);
    }

    /** Every option and value this preset sets, in the order of {@link #DEFAULT}'s table. */
    public Map<String, String> settings() {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String option : DEFAULT.overrides.keySet()) {
            ordered.put(option, values.get(option));
        }
        return ordered;
    }

    /** The options whose value differs from {@link #DEFAULT}'s. */
    public Map<String, String> differences() {
        Map<String, String> different = new LinkedHashMap<>();
        settings().forEach((option, value) -> {
            if (!value.equals(DEFAULT.value(option))) {
                different.put(option, value);
            }
        });
        return different;
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(Preset::cliName).toList();
    }

    public static Preset parse(String name) {
        for (Preset preset : values()) {
            if (preset.cliName().equalsIgnoreCase(name)) {
                return preset;
            }
        }
        throw new InvalidConfigException("--preset must be one of " + String.join(", ", names()) + "; got '" + name + "'");
    }
}
