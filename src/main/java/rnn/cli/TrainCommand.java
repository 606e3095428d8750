package rnn.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import rnn.InvalidConfigException;
import rnn.checkpoint.ModelStore;
import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.engine.loss.Loss;
import rnn.train.Preset;
import rnn.train.TrainConfig;
import rnn.workflow.Training;

/** rnn train: Keras' compile + fit on the command line. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a next-word language model on a text file and save it as a model directory.",
                "Options not given come from --preset (default: a small word-level LSTM)."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Parameters(arity = "0..*", paramLabel = "CORPUS", description = "Plain UTF-8 text to train on; - reads stdin.")
    List<String> corpora = List.of();

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Model directory (default: models/<corpus name>).")
    Path output;
    @Option(names = "--preset", paramLabel = "NAME", description = "default, seed (the Keras tutorial), ptb-small (Zaremba 2014) or ptb-tied (tied, dropout; test ppl under 110 in an hour).")
    String preset = "default";
    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run saved in DIR exactly where it stopped.")
    Path resume;
    @Option(names = "--force", description = "Replace a model already in the output directory.")
    boolean force;
    @Option(names = "--json", description = "One JSON object per epoch on stdout.")
    boolean json;

    @Option(names = "--cell", paramLabel = "rnn|lstm|gru") String cell;
    @Option(names = "--gru-variant", paramLabel = "pytorch|classic", description = "GRU form: pytorch (cuDNN/Keras 3, default) or classic (Cho 2014).")
    String gruVariant;
    @Option(names = "--layers", paramLabel = "N") Integer layers;
    @Option(names = "--hidden", paramLabel = "N", description = "Units per recurrent layer.") Integer hidden;
    @Option(names = "--embedding", paramLabel = "N", description = "Embedding size.") Integer embedding;
    @Option(names = "--one-hot", description = "Feed tokens one-hot instead of through an embedding.") Boolean oneHot;
    @Option(names = "--dropout", paramLabel = "X") Double dropout;
    @Option(names = "--tied", description = "Share the output layer's weights with the embedding.") Boolean tied;
    @Option(names = "--init", paramLabel = "uniform|glorot") String init;
    @Option(names = "--init-scale", paramLabel = "X", description = "Range of the uniform initialization.") Double initScale;
    @Option(names = "--forget-bias", paramLabel = "X", description = "Added to LSTM forget-gate biases at start (default 0).") Double forgetBias;

    @Option(names = "--window", paramLabel = "N", description = "Tokens per training sequence.") Integer window;
    @Option(names = "--stride", paramLabel = "N", description = "Step between window starts.") Integer stride;
    @Option(names = "--objective", paramLabel = "all|last", description = "Predict at every position or only after the window.") String objective;
    @Option(names = "--stateful", negatable = true, description = "Stream layout: parallel streams, state carried between windows.") Boolean stateful;
    @Option(names = "--tokenizer", paramLabel = "SPEC", description = "word, whitespace, char or regex:PATTERN.") String tokenizer;
    @Option(names = "--lowercase", description = "Lower-case the text first.") Boolean lowercase;
    @Option(names = "--min-count", paramLabel = "N", description = "Rarer tokens become <unk>.") Integer minCount;
    @Option(names = "--max-vocab", paramLabel = "N", description = "Largest vocabulary, <unk> included.") Integer maxVocab;

    @Option(names = "--epochs", paramLabel = "N") Integer epochs;
    @Option(names = "--batch-size", paramLabel = "N") Integer batchSize;
    @Option(names = "--shuffle", negatable = true, description = "Shuffle windows each epoch (default on).") Boolean shuffle;
    @Option(names = "--optimizer", paramLabel = "sgd|rmsprop|adam") String optimizer;
    @Option(names = "--lr", paramLabel = "X", description = "Learning rate.") Double lr;
    @Option(names = "--momentum", paramLabel = "X", description = "SGD momentum.") Double momentum;
    @Option(names = "--lr-decay", paramLabel = "X", description = "Multiply the learning rate by X each epoch after --decay-after.") Double lrDecay;
    @Option(names = "--decay-after", paramLabel = "N") Integer decayAfter;
    @Option(names = "--decay-on-plateau", description = "Decay when validation loss stops improving instead.") Boolean decayOnPlateau;
    @Option(names = "--clip", paramLabel = "X", description = "Global gradient-norm clip (0 = off).") Double clip;
    @Option(names = "--loss", paramLabel = "crossentropy|mse|kld") String loss;
    @Option(names = "--validation-split", paramLabel = "F", description = "Hold out the last fraction F of the text.") Double validationSplit;
    @Option(names = "--valid", paramLabel = "FILE", description = "Validation text (instead of --validation-split).") String validFile;
    @Option(names = "--patience", paramLabel = "N", description = "Stop after N epochs without validation improvement (0 = off).") Integer patience;
    @Option(names = "--seed", paramLabel = "N") Long seed;
    @Option(names = "--threads", paramLabel = "N", description = "Threads for matrix products and the softmax (default 0 = one per core).") Integer threads;
    @Option(names = "--save-every", paramLabel = "N", description = "Also save every N steps.") Integer saveEvery;
    @Option(names = "--max-batches", paramLabel = "N", description = "Stop each epoch after N batches (throughput runs).") Integer maxBatches;

    @Override
    public Integer call() {
        ConsoleListener listener = new ConsoleListener(spec.commandLine().getOut(), spec.commandLine().getErr(),
                json, verbosity.quiet());
        TrainConfig config = resume == null ? config() : null;
        var cancelled = Interruption.watch();
        Training.Result result;
        try {
            result = resume != null ? Training.resume(resume, epochs, listener, cancelled::get)
                    : Training.start(config, force, listener, cancelled::get);
        } finally {
            Interruption.stopWatching();
        }
        if (!verbosity.quiet()) {
            spec.commandLine().getErr().println(result.describe());
        }
        return ExitCodes.OK;
    }

    TrainConfig config() {
        if (corpora.isEmpty()) {
            throw new InvalidConfigException("give a CORPUS file to train on (or - for stdin), or --resume DIR");
        }
        Preset p = Preset.parse(preset);
        boolean useOneHot = pick(oneHot, p, "one-hot", false) || pick(embedding, p, "embedding", 64) == 0;
        String outputDir = (output != null ? output : Path.of("models", corpusName(corpora.get(0)))).toString();
        double split = validFile != null ? 0.0 : pick(validationSplit, p, "validation-split", 0.0);
        return new TrainConfig(corpora, validFile, split,
                pick(tokenizer, p, "tokenizer", "word"), pick(lowercase, p, "lowercase", false),
                pick(minCount, p, "min-count", 1), pick(maxVocab, p, "max-vocab", Integer.MAX_VALUE),
                pick(window, p, "window", 20), pick(stride, p, "stride", 20),
                parseObjective(pick(objective, p, "objective", "all")), pick(stateful, p, "stateful", false),
                parseCell(pick(cell, p, "cell", "lstm"), gruVariant), pick(layers, p, "layers", 1),
                pick(hidden, p, "hidden", 128), useOneHot ? 0 : pick(embedding, p, "embedding", 64),
                pick(dropout, p, "dropout", 0.0), pick(tied, p, "tied", false),
                pick(init, p, "init", "uniform"), pick(initScale, p, "init-scale", 0.1),
                pick(forgetBias, p, "forget-bias", 0.0),
                pick(epochs, p, "epochs", 10), pick(batchSize, p, "batch-size", 32), pick(shuffle, p, "shuffle", true),
                pick(optimizer, p, "optimizer", "adam"), pick(lr, p, "lr", 0.001), pick(momentum, p, "momentum", 0.0),
                pick(lrDecay, p, "lr-decay", 1.0), pick(decayAfter, p, "decay-after", 0),
                pick(decayOnPlateau, p, "decay-on-plateau", false), pick(clip, p, "clip", 0.0),
                Loss.parse(pick(loss, p, "loss", "crossentropy")), pick(patience, p, "patience", 0),
                pick(seed, p, "seed", 1L), pick(threads, p, "threads", 0), pick(saveEvery, p, "save-every", 0),
                pick(maxBatches, p, "max-batches", 0),
                outputDir);
    }

    @SuppressWarnings("unchecked")
    private static <T> T pick(T given, Preset preset, String option, T fallback) {
        if (given != null) {
            return given;
        }
        Object fromPreset = preset.value(option);
        if (fromPreset == null) {
            return fallback;
        }
        if (fallback instanceof Long && fromPreset instanceof Integer i) {
            return (T) Long.valueOf(i);
        }
        return (T) fromPreset;
    }

    /**
     * models/NAME from the first corpus's file name without its extension. Never "latest" (the
     * link to the newest model: writing there would replace another model) nor a name that is no
     * directory of its own ("/", "..").
     */
    static String corpusName(String corpus) {
        if (corpus.equals("-")) {
            return "stdin";
        }
        Path fileName = Path.of(corpus).getFileName();
        String name = fileName == null ? "" : fileName.toString();
        int dot = name.lastIndexOf('.');
        name = dot > 0 ? name.substring(0, dot) : name;
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return "corpus";
        }
        return name.equals(ModelStore.LATEST) ? name + "-corpus" : name;
    }

    private static Objective parseObjective(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "all" -> Objective.ALL;
            case "last" -> Objective.LAST;
            default -> throw new InvalidConfigException("--objective must be all or last, got '" + value + "'");
        };
    }

    private static CellType parseCell(String value, String gruVariant) {
        if (gruVariant != null && !gruVariant.equalsIgnoreCase("pytorch") && !gruVariant.equalsIgnoreCase("classic")) {
            throw new InvalidConfigException("--gru-variant must be pytorch or classic, got '" + gruVariant + "'");
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "rnn", "simplernn" -> CellType.RNN;
            case "lstm" -> CellType.LSTM;
            case "gru" -> "classic".equalsIgnoreCase(gruVariant) ? CellType.GRU_CLASSIC : CellType.GRU;
            default -> throw new InvalidConfigException("--cell must be rnn, lstm or gru, got '" + value + "'");
        };
    }
}
