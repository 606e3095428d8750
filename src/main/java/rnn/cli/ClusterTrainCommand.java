package rnn.cli;

import java.nio.file.Path;
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
import rnn.cluster.ClusterOptions;
import rnn.cluster.ClusterTraining;
import rnn.workflow.Training;

/** rnn-spark train: rnn train's options (the same TrainOptions and presets), run data-parallel on a Spark cluster. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        abbreviateSynopsis = true,
        defaultValueProvider = PresetDefaults.class,
        description = {"Train a next-word language model on a Spark cluster and save it as a model directory.",
                "Takes every option of rnn train, plus --workers, --sync-every and --master."})
public final class ClusterTrainCommand implements Callable<Integer> {
    private static final Set<String> CLUSTER_OPTIONS = Set.of("--workers", "--sync-every", "--master");

    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Parameters(arity = "0..*", paramLabel = "CORPUS", showDefaultValue = Help.Visibility.NEVER,
            description = "Plain UTF-8 text to train on: a path every executor can read, file://, hdfs://, ...")
    List<String> corpora = List.of();

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run saved in DIR (a path or a Hadoop URI) from its last epoch.")
    String resume;
    @Option(names = "--force", description = "Replace a model already in the output directory.")
    boolean force;
    @Option(names = "--json", description = "One JSON object per epoch on stdout.")
    boolean json;

    @Option(names = "--master", paramLabel = "URL", showDefaultValue = Help.Visibility.NEVER,
            description = "Spark master (spark://host:7077, local[N], ...); default: the one spark-submit sets.")
    String master;
    @Option(names = "--workers", paramLabel = "N", required = true,
            description = "Data-parallel workers: the training text is cut into N contiguous shards, one each.")
    int workers;
    @Option(names = "--sync-every", paramLabel = "K", defaultValue = "1",
            description = "Local steps per worker between two averagings of the weights (1: synchronous SGD).")
    int syncEvery;

    @Mixin
    TrainOptions options;

    @Override
    public Integer call() {
        options.requireEachOptionOnce();
        ClusterOptions cluster = new ClusterOptions(master, workers, syncEvery);
        ClusterConsoleListener listener = new ClusterConsoleListener(spec.commandLine().getOut(),
                spec.commandLine().getErr(), json, verbosity.quiet());
        var config = resume == null ? options.config(corpora) : null;
        var changes = resume != null ? TrainCommand.resumeChanges(spec, corpora, Path.of(resume), options, CLUSTER_OPTIONS) : null;
        var cancelled = Interruption.watch();
        ClusterTraining.Result result;
        try {
            result = resume != null
                    ? ClusterTraining.resume(resume, changes, options.runConfig(resume)
                            .withOutput(resume), cluster, listener, cancelled::get)
                    : ClusterTraining.start(config, cluster, force, listener, cancelled::get);
        } finally {
            Interruption.stopWatching();
        }
        if (!verbosity.quiet()) {
            spec.commandLine().getErr().println(result.describe());
        }
        return ExitCodes.OK;
    }
}
