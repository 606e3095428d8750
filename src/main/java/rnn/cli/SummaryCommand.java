package rnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnn.workflow.ModelSummary;

/** rnn summary: a model's layers and settings, like Keras' model.summary(). */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Describe a trained model: each layer with its output shape and parameter count, the totals, "
                + "the vocabulary, tokenizer and sequence layout, the training history and where the model came from.",
                "Reads only model.json and the header of model.safetensors: fast, no weights loaded."})
public final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Model directory (default: the model trained last, see models/latest.path).")
    Path model;

    @Option(names = "--json", description = "One JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        ModelSummary summary = ModelSummary.read(model);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(summary.toJson());
        } else {
            summary.describe().forEach(out::println);
        }
        return ExitCodes.OK;
    }
}
