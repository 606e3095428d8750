package rnn.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import rnn.InvalidConfigException;
import rnn.train.ResumeChanges;
import rnn.train.TrainConfig;
import rnn.workflow.Training;

/** rnn train: Keras' compile + fit on the command line. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        abbreviateSynopsis = true,
        defaultValueProvider = PresetDefaults.class,
        description = {"Train a next-word language model on a text file and save it as a model directory.",
                "Options not given come from --preset; the defaults shown are the chosen preset's."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Parameters(arity = "0..*", paramLabel = "CORPUS", showDefaultValue = Help.Visibility.NEVER, description = "Plain UTF-8 text to train on; - reads stdin.")
    List<String> corpora = List.of();

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run saved in DIR exactly where it stopped.")
    Path resume;
    @Option(names = "--init-from", paramLabel = "MODEL_DIR",
            description = "Fine-tune: start from the weights of the model in MODEL_DIR (its network, vocabulary and "
                    + "tokenizer; words new to it read as <unk>) with fresh optimizer state and the options given here.")
    Path initFrom;
    @Option(names = "--force", description = "Replace a model already in the output directory.")
    boolean force;
    @Option(names = "--json", description = "One JSON object per epoch on stdout.")
    boolean json;

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() {
        options.requireEachOptionOnce();
        ConsoleListener listener = new ConsoleListener(spec.commandLine().getOut(), spec.commandLine().getErr(),
                json, verbosity.quiet(), verbosity.level() >= 1);
        if (initFrom != null) {
            refuseWithInitFrom();
        }
        TrainConfig config = resume == null ? options.config(corpora) : null;
        ResumeChanges changes = resume != null ? resumeChanges(spec, corpora, resume, options, Set.of()) : null;
        var cancelled = Interruption.watch();
        Training.Result result;
        try {
            result = resume != null
                    ? Training.resume(resume, changes, options.runConfig(resume.toString()).withOutput(resume.toString()),
                            listener, cancelled::get)
                    : initFrom != null ? Training.fineTune(config, initFrom, force, listener, cancelled::get)
                    : Training.start(config, force, listener, cancelled::get);
        } finally {
            Interruption.stopWatching();
        }
        if (!verbosity.quiet()) {
            spec.commandLine().getErr().println(result.describe());
        }
        return ExitCodes.OK;
    }

    /** The options a fine-tuned model takes from its parent, refused all in one line when given. */
    private void refuseWithInitFrom() {
        List<String> inherited = new ArrayList<>(TrainOptions.optionNames(TrainOptions.Network.class));
        inherited.addAll(List.of("--tokenizer", "--lowercase", "--min-count", "--max-vocab", "--resume"));
        List<String> refused = inherited.stream().filter(options::given).toList();
        if (!refused.isEmpty()) {
            throw new InvalidConfigException("--init-from " + initFrom + " takes its network, vocabulary and tokenizer"
                    + " from that model, so it refuses " + String.join(", ", refused)
                    + " (words the vocabulary lacks are read as <unk>)");
        }
    }

    /**
     * The options --resume applies; any option that would change the saved model, data or the
     * meaning of its optimizer state is refused, all of them named in one line. {@code alsoAllowed}:
     * the options of the command's own (the cluster's --workers, say), which --resume takes too.
     */
    static ResumeChanges resumeChanges(CommandSpec spec, List<String> corpora, Path resume, TrainOptions options,
                                       Set<String> alsoAllowed) {
        List<String> refused = new ArrayList<>();
        if (!corpora.isEmpty()) {
            refused.add("CORPUS (" + String.join(" ", corpora) + ")");
        }
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            if (!RESUME_ALLOWS.contains(option.longestName()) && !alsoAllowed.contains(option.longestName())
                    && !refused.contains(option.longestName())) {
                refused.add(option.longestName());
            }
        }
        if (!refused.isEmpty()) {
            throw new InvalidConfigException("--resume continues " + resume + " as it was saved, so it refuses "
                    + String.join(", ", refused) + "; it accepts --epochs, --lr, --lr-decay, --decay-after,"
                    + " --decay-on-plateau, --patience, --threads, --save-every and --max-batches");
        }
        TrainOptions.Optimization o = options.optimization;
        return new ResumeChanges(options.given("--epochs") ? o.epochs : null, options.given("--lr") ? o.lr : null,
                options.given("--lr-decay") ? o.lrDecay : null, options.given("--decay-after") ? o.decayAfter : null,
                options.given("--decay-on-plateau") ? o.decayOnPlateau : null,
                options.given("--patience") ? o.patience : null);
    }

    private static final Set<String> RESUME_ALLOWS = Set.of("--resume", "--json", "--verbose", "--quiet",
            "--epochs", "--lr", "--lr-decay", "--decay-after", "--decay-on-plateau", "--patience", "--threads",
            "--save-every", "--max-batches");
}
