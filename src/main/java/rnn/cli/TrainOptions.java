package rnn.cli;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import rnn.InvalidConfigException;
import rnn.checkpoint.LatestModel;
import rnn.engine.Objective;
import rnn.engine.loss.Loss;
import rnn.train.DataConfig;
import rnn.train.NetworkConfig;
import rnn.train.OptimizationConfig;
import rnn.train.Preset;
import rnn.train.RunConfig;
import rnn.train.TrainConfig;

/**
 * The options that make a {@link TrainConfig}, grouped as in {@code --help} (data, network,
 * optimization, run). A mixin, so every command that trains takes exactly these; the host command
 * declares {@code defaultValueProvider = PresetDefaults.class}, which fills what is not given from
 * {@code --preset}. {@link #config} turns them into a validated configuration.
 */
public final class TrainOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--preset", paramLabel = "NAME", converter = Candidates.PresetConverter.class,
            completionCandidates = Candidates.Presets.class,
            description = "Defaults for every option below: ${COMPLETION-CANDIDATES} (default: default). "
                    + "Options given override it; 'rnn presets' lists what each sets, and "
                    + "--preset NAME --help shows its values as the defaults here.")
    Preset preset;

    @ArgGroup(validate = false, heading = "%nData:%n", order = 1)
    Data data = new Data();
    @ArgGroup(validate = false, heading = "%nNetwork:%n", order = 2)
    Network network = new Network();
    @ArgGroup(validate = false, heading = "%nOptimization:%n", order = 3)
    Optimization optimization = new Optimization();
    @ArgGroup(validate = false, heading = "%nRun:%n", order = 4)
    Run run = new Run();

    /** What text is read and how it becomes sequences. */
    public static final class Data {
        @Option(names = "--tokenizer", paramLabel = "SPEC", completionCandidates = Candidates.Tokenizers.class,
                description = "word (Unicode words and punctuation), whitespace (<eos> after each line), "
                        + "char or regex:PATTERN (its matches, e.g. regex:\\w+).")
        String tokenizer;
        @Option(names = "--lowercase", negatable = true, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                showDefaultValue = Help.Visibility.ALWAYS,
                description = "Lower-case the text first.")
        boolean lowercase;
        @Option(names = "--min-count", paramLabel = "N", description = "Rarer tokens become <unk>.")
        int minCount;
        @Option(names = "--max-vocab", paramLabel = "N", description = "Largest vocabulary, <unk> included (0 = no limit).")
        int maxVocab;
        @Option(names = "--window", paramLabel = "N", description = "Tokens per training sequence (chunk length with --stateful).")
        int window;
        @Option(names = "--stride", paramLabel = "N", description = "Step between window starts.")
        int stride;
        @Option(names = "--objective", paramLabel = "all|last", completionCandidates = Candidates.Objectives.class,
                description = "Predict at every position or only after the window.")
        String objective;
        @Option(names = "--stateful", negatable = true, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                showDefaultValue = Help.Visibility.ALWAYS,
                description = "Stream layout: --batch-size parallel streams, state carried from chunk to chunk.")
        boolean stateful;
        @Option(names = "--validation-split", paramLabel = "F", description = "Hold out the last fraction F of the text.")
        double validationSplit;
        @Option(names = "--valid", paramLabel = "FILE", description = "Validation text (replaces the preset's --validation-split).")
        String validFile;
    }

    /** The network's shape and initialization. */
    public static final class Network {
        @Option(names = "--cell", paramLabel = "rnn|lstm|gru", completionCandidates = Candidates.Cells.class,
                description = "Recurrent cell.")
        String cell;
        @Option(names = "--gru-variant", paramLabel = "pytorch|classic", completionCandidates = Candidates.GruVariants.class,
                description = "GRU form: pytorch (cuDNN, Keras 3) or classic (Cho 2014).")
        String gruVariant;
        @Option(names = "--activation", paramLabel = "tanh|relu", completionCandidates = Candidates.Activations.class,
                description = "--cell rnn's activation: tanh or relu (Keras SimpleRNN's activation, PyTorch's nonlinearity).")
        String activation;
        @Option(names = "--layers", paramLabel = "N", description = "Stacked recurrent layers.")
        int layers;
        @Option(names = "--hidden", paramLabel = "N", description = "Units per recurrent layer.")
        int hidden;
        @Option(names = "--embedding", paramLabel = "N", description = "Embedding size (0 = one-hot input).")
        int embedding;
        @Option(names = "--one-hot", description = "Feed tokens one-hot: the same as --embedding 0.")
        boolean oneHot;
        @Option(names = "--dropout", paramLabel = "X", description = "Dropout on each layer's input and output.")
        double dropout;
        @Option(names = "--dropout-kind", paramLabel = "standard|locked", completionCandidates = Candidates.DropoutKinds.class,
                description = "--dropout's masks: standard (new per step) or locked (one per sequence for all its"
                        + " steps: variational dropout, AWD-LSTM's LockedDropout).")
        String dropoutKind;
        @Option(names = "--dropoute", paramLabel = "X",
                description = "Embedding dropout: drop whole words' embedding rows at rate X per batch (AWD-LSTM's dropoute).")
        double dropoute;
        @Option(names = "--wdrop", paramLabel = "X",
                description = "Weight drop: DropConnect at rate X on the recurrent weights W_hh, one mask per batch"
                        + " (AWD-LSTM's wdrop).")
        double wdrop;
        @Option(names = "--tied", negatable = true, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                showDefaultValue = Help.Visibility.ALWAYS,
                description = "Share the decoder's weights with the embedding (needs --embedding = --hidden).")
        boolean tied;
        @Option(names = "--softmax", paramLabel = "full|adaptive", completionCandidates = Candidates.Softmaxes.class,
                description = "Output: the full softmax, or the adaptive softmax for large vocabularies (PyTorch's"
                        + " AdaptiveLogSoftmaxWithLoss).")
        String softmax;
        @Option(names = "--cutoffs", paramLabel = "N,N...|auto",
                description = "Adaptive softmax: the shortlist size, then each further tail cluster's first id, most"
                        + " frequent first (auto: 2000, 10000, 50000, ... below the vocabulary size).")
        String cutoffs;
        @Option(names = "--div-value", paramLabel = "X",
                description = "Adaptive softmax: each tail cluster's projection is X times narrower than the one before"
                        + " (PyTorch's default is 4; 2 here, nearer the full softmax's perplexity).")
        double divValue;
        @Option(names = "--init", paramLabel = "uniform|glorot|orthogonal", completionCandidates = Candidates.Inits.class,
                description = "Weight initialization: uniform (--init-scale), glorot (Glorot-uniform, zero biases) or"
                        + " orthogonal (glorot with orthogonal recurrent kernels: Keras' defaults).")
        String init;
        @Option(names = "--init-scale", paramLabel = "X", description = "Range of the uniform initialization.")
        double initScale;
        @Option(names = "--forget-bias", paramLabel = "X", description = "Added to LSTM forget-gate biases at start.")
        double forgetBias;
    }

    /** How the weights are fitted. */
    public static final class Optimization {
        @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training text.")
        int epochs;
        @Option(names = "--batch-size", paramLabel = "N", description = "Windows per batch (streams with --stateful).")
        int batchSize;
        @Option(names = "--shuffle", negatable = true, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                showDefaultValue = Help.Visibility.ALWAYS,
                description = "Shuffle windows each epoch.")
        boolean shuffle;
        @Option(names = "--optimizer", paramLabel = "sgd|rmsprop|adam", completionCandidates = Candidates.OptimizerNames.class,
                description = "Optimizer.")
        String optimizer;
        @Option(names = "--lr", paramLabel = "X", description = "Learning rate.")
        double lr;
        @Option(names = "--momentum", paramLabel = "X", description = "SGD momentum.")
        double momentum;
        @Option(names = "--lr-decay", paramLabel = "X", description = "Multiply the learning rate by X after each epoch past --decay-after (1 = off).")
        double lrDecay;
        @Option(names = "--decay-after", paramLabel = "N", description = "Epochs before --lr-decay starts.")
        int decayAfter;
        @Option(names = "--decay-on-plateau", negatable = true, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                showDefaultValue = Help.Visibility.ALWAYS,
                description = "Apply --lr-decay when the validation loss stops improving instead.")
        boolean decayOnPlateau;
        @Option(names = "--clip", paramLabel = "X", description = "Global gradient-norm clip (0 = off).")
        double clip;
        @Option(names = "--loss", paramLabel = "crossentropy|mse|kld", completionCandidates = Candidates.Losses.class,
                description = "Training loss.")
        String loss;
        @Option(names = "--patience", paramLabel = "N",
                description = "Stop after N epochs without validation improvement (0 = off; off without validation data).")
        int patience;
        @Option(names = "--seed", paramLabel = "N", description = "Seed of the initialization, dropout and shuffling.")
        long seed;
    }

    /** Settings of this invocation, not stored with the model. */
    public static final class Run {
        @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Model directory (default: models/<corpus name>).")
        String output; // not a Path: on a cluster it may be a URI (hdfs://host/...), which Path would mangle
        @Option(names = "--threads", paramLabel = "N", description = "Threads for matrix products and the softmax (0 = one per core).")
        int threads;
        @Option(names = "--save-every", paramLabel = "N", description = "Also save every N steps (0 = each epoch only).")
        int saveEvery;
        @Option(names = "--max-batches", paramLabel = "N", description = "Stop each epoch after N batches (0 = whole epochs).")
        int maxBatches;
    }

    /** The long names of the options declared in {@code group} (one of the nested classes above). */
    static List<String> optionNames(Class<?> group) {
        List<String> names = new ArrayList<>();
        for (Field field : group.getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option != null) {
                names.add(option.names()[option.names().length - 1]);
            }
        }
        return names;
    }

    /** Whether the user typed {@code option} (as opposed to its default from the preset). */
    /**
     * Refuses an option of the grouped sections given twice. picocli takes the second occurrence
     * as the start of a new instance of its section and keeps only the last instance, so every
     * other option given before it in that section was silently dropped: `-o DIR --max-batches 2
     * --max-batches 3` trained into models/NAME instead of DIR. Outside the sections picocli
     * itself refuses a repeated option; this makes the sections do the same.
     */
    public void requireEachOptionOnce() {
        ParseResult parsed = command == null ? null : command.commandLine().getParseResult();
        if (parsed == null) {
            return;
        }
        for (ArgGroupSpec group : command.argGroups()) {
            List<ParseResult.GroupMatch> matches = parsed.findMatches(group).stream()
                    .flatMap(container -> container.matches().stream()).toList();
            for (int i = 1; i < matches.size(); i++) {
                for (OptionSpec option : group.options()) {
                    if (!matches.get(i).matchedValues(option).isEmpty()) {
                        throw new InvalidConfigException(option.longestName()
                                + " is given more than once; give each option once");
                    }
                }
            }
        }
    }

    public boolean given(String option) {
        ParseResult parsed = command == null ? null : command.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }

    public Preset preset() {
        return preset == null ? Preset.DEFAULT : preset;
    }

    /**
     * The validated configuration for training on {@code corpora}: every check that needs no text,
     * so a bad value is refused before any corpus is read. Resolves the combinations a preset
     * cannot decide alone: {@code --one-hot} sets the embedding to 0; {@code --valid} replaces the
     * preset's validation split; the preset's patience applies only when there is validation data.
     */
    public TrainConfig config(List<String> corpora) {
        if (corpora.isEmpty()) {
            throw new InvalidConfigException("give a CORPUS file to train on (or - for stdin), or --resume DIR");
        }
        return new TrainConfig(dataConfig(corpora), networkConfig(), optimizationConfig(), runConfig(corpora.get(0)));
    }

    DataConfig dataConfig(List<String> corpora) {
        if (data.validFile != null && given("--validation-split")) {
            throw new InvalidConfigException("use either --valid or --validation-split, not both");
        }
        double split = data.validFile != null ? 0.0 : data.validationSplit;
        return new DataConfig(corpora, data.validFile, split, data.tokenizer, data.lowercase, data.minCount,
                data.maxVocab, data.window, data.stride, parseObjective(data.objective), data.stateful);
    }

    NetworkConfig networkConfig() {
        if (network.oneHot && given("--embedding") && network.embedding != 0) {
            throw new InvalidConfigException("--one-hot and --embedding " + network.embedding
                    + " contradict each other; give one of them");
        }
        int embedding = network.oneHot ? 0 : network.embedding;
        boolean adaptive = NetworkConfig.ADAPTIVE.equalsIgnoreCase(network.softmax);
        for (String option : List.of("--cutoffs", "--div-value")) {
            if (!adaptive && given(option)) {
                throw new InvalidConfigException(option + " needs --softmax adaptive");
            }
        }
        return new NetworkConfig(NetworkConfig.parseCell(network.cell, network.gruVariant, network.activation), network.layers,
                network.hidden, embedding, network.dropout, network.tied, network.init, network.initScale,
                network.forgetBias, network.softmax, adaptive ? parseCutoffs(network.cutoffs) : null,
                adaptive ? network.divValue : null, network.dropoutKind, network.dropoute, network.wdrop);
    }

    /** {@code --cutoffs 2000,10000}, or auto (null: the default for the vocabulary's size). */
    static List<Integer> parseCutoffs(String value) {
        if (value == null || value.equalsIgnoreCase("auto")) {
            return null;
        }
        List<Integer> cutoffs = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            try {
                cutoffs.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("--cutoffs must be ids separated by commas such as 2000,10000 (or"
                        + " auto), got '" + value + "'");
            }
        }
        return cutoffs;
    }

    OptimizationConfig optimizationConfig() {
        boolean validated = data.validFile != null || data.validationSplit > 0;
        int patience = validated || given("--patience") ? optimization.patience : 0;
        return new OptimizationConfig(Loss.parse(optimization.loss), optimization.optimizer, optimization.lr,
                optimization.momentum, optimization.lrDecay, optimization.decayAfter, optimization.decayOnPlateau,
                optimization.clip, optimization.epochs, optimization.batchSize, optimization.shuffle, patience,
                optimization.seed);
    }

    /** Run options; {@code corpus} names the default output directory, models/&lt;corpus name&gt;. */
    RunConfig runConfig(String corpus) {
        String output = run.output != null ? run.output : Path.of("models", corpusName(corpus)).toString();
        return new RunConfig(output, run.threads, run.saveEvery, run.maxBatches);
    }

    /**
     * models/NAME from the first corpus's file name without its extension. Never "latest" or
     * "latest.path" (the link to and the record of the newest model) nor a name that is no
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
        return name.equals(LatestModel.LATEST) || name.equals(LatestModel.RECORD) ? name + "-corpus" : name;
    }

    private static Objective parseObjective(String value) {
        return switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
            case "all" -> Objective.ALL;
            case "last" -> Objective.LAST;
            default -> throw new InvalidConfigException("--objective must be all or last, got '" + value + "'");
        };
    }
}
