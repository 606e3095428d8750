package rnn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of the cluster jar (target/rnn-spark.jar), for spark-submit:
 * {@code spark-submit --master URL target/rnn-spark.jar train CORPUS --workers N ...}. Not part of
 * the single-machine jar, which never loads Spark.
 */
@Command(name = "rnn-spark",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train a language model on a Spark cluster (data-parallel), into the same model directory as rnn train.",
        subcommands = {ClusterTrainCommand.class})
public final class ClusterMain implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: one of " + spec.subcommands().keySet());
    }

    public static void main(String[] args) {
        System.exit(Main.execute(commandLine(), args));
    }

    /** The configured command line; tests call this and swap the writers. */
    public static CommandLine commandLine() {
        return Main.configure(new CommandLine(new ClusterMain()));
    }
}
