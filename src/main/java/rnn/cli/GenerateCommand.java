package rnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import rnn.workflow.GenerateConfig;
import rnn.workflow.Generator;

/** rnn generate: sample text from a model, token by token, as it is chosen. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text with a trained model: the prime (if any), then -n sampled tokens, "
                + "printed as each is chosen.",
                "Stream models carry their state from token to token; window models re-read their last W tokens "
                        + "from the zero state each step, as they were trained. <unk> is never generated.",
                "The whitespace tokenizer's <eos> prints as a line break; char models print raw text."})
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Model directory (default: the model trained last, see models/latest.path).")
    Path model;

    @Option(names = "--prime", paramLabel = "TEXT", description = "Text to continue (default: none, start from the zero state).")
    String prime = "";

    @Option(names = {"-n", "--words"}, paramLabel = "N", defaultValue = "50", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int words;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Divide the logits by T before sampling; below 1 is more conservative, 0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample only among the K most probable tokens.")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Sample only among the most probable tokens that together reach probability P (nucleus sampling).")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed: the same seed gives the same text (default: a random one; -v shows it).")
    Long seed;

    @Override
    public Integer call() {
        GenerateConfig config = new GenerateConfig(prime, words, temperature, topK, topP, seed); // checked before loading
        Generator generator = Generator.open(model);
        PrintWriter out = spec.commandLine().getOut();
        Generator.Streamed result = generator.generateStreaming(config, text -> {
            out.print(text);
            out.flush();
            return !out.checkError();
        });
        if (!result.endsWithLineBreak()) {
            out.println();
        }
        PrintWriter err = spec.commandLine().getErr();
        if (!verbosity.quiet()) {
            UnknownWords.report(err, "rnn generate", result.unknownWords());
        }
        if (verbosity.level() >= 1 && !config.greedy()) {
            err.println("rnn generate: seed " + result.seed());
        }
        return ExitCodes.OK;
    }
}
