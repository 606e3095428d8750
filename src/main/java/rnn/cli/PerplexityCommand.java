package rnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import rnn.InvalidConfigException;
import rnn.checkpoint.Json;
import rnn.engine.kernel.EngineThreads;
import rnn.text.TextSource;
import rnn.workflow.Perplexity;

/** rnn perplexity: how well a model predicts a text. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = {"Score a text with a trained model: tokens, OOVs, log-likelihood, cross-entropy and perplexity.",
                "Conventions: the text is tokenized with the model's tokenizer, line ends as in training (<eos> and "
                        + "the char model's newline count as tokens). Every token is predicted from the tokens before "
                        + "it, the first from the zero start state. perplexity = 10^(-sum log10 p / N) = exp(mean -ln p) "
                        + "over all N tokens; OOVs (tokens not in the vocabulary, scored as <unk>; a literal <unk> is "
                        + "not an OOV) are included, and 'excluding OOVs' leaves their probabilities out of the sum "
                        + "and of N, as KenLM does.",
                "Stream models carry their state through the text: by default in segments of up to 2048 tokens, "
                        + "64 scored side by side and shared among the threads, each warmed up on the 128 tokens "
                        + "before it (--streams 1: one exact pass, slower). Window models read each token's up to W "
                        + "preceding tokens from the zero state. Contexts run across line ends in both.",
                "--independent scores every line on its own from the zero start state, its line-end token "
                        + "included where the model has one (KenLM's </s>): a line's score no longer depends on the "
                        + "lines before it. Lines run side by side in batches.",
                "--per-line prints log10prob<TAB>tokens<TAB>oovs<TAB>text for each input line (each token counted "
                        + "in its own line, line-end token included) and the summary on stderr.",
                "--per-token prints token<TAB>log10prob<TAB>oov<TAB>line for each token (oov 1 if it is scored as "
                        + "<unk>; tabs and line breaks in tokens as \\t, \\n) and the summary on stderr."})
public final class PerplexityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Parameters(index = "0", paramLabel = "FILE|-", description = "UTF-8 text to score, or - for stdin.")
    String file;

    @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Model directory (default: the model trained last, see models/latest.path).")
    Path model;

    @Option(names = "--per-line", description = "One result per input line instead of the summary.")
    boolean perLine;

    @Option(names = "--per-token", description = "One result per token instead of the summary.")
    boolean perToken;

    @Option(names = "--independent", description = "Score each line on its own, from the zero start state.")
    boolean independent;

    @Option(names = "--json", description = "JSON: one object for the summary, or one per line (token) with --per-line (--per-token).")
    boolean json;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "" + Perplexity.STREAMS,
            description = "Stream models: segments scored side by side, 1 to 1024 (default: ${DEFAULT-VALUE}; 1 = one exact pass).")
    int streams;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads for matrix products and the softmax (default 0 = one per core).")
    int threads;

    @Override
    public Integer call() {
        if (threads < 0) {
            throw new InvalidConfigException("--threads must not be negative (0 = one per core), got " + threads);
        }
        EngineThreads.configure(threads);
        if (perLine && perToken) {
            throw new InvalidConfigException("--per-line and --per-token: choose one");
        }
        Perplexity.Options options = new Perplexity.Options(streams, independent);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Perplexity.LineSink lines = !perLine ? null : line -> emit(out, json ? Json.toJson(line.fields())
                : String.format(Locale.ROOT, "%.6f\t%d\t%d\t%s", line.log10Probability(), line.tokens(), line.oovs(),
                        line.text()));
        Perplexity.TokenSink tokens = !perToken ? null : token -> emit(out, json ? Json.toJson(token.fields())
                : String.format(Locale.ROOT, "%s\t%.6f\t%d\t%d", TokenEscaping.escape(token.token()),
                        token.log10Probability(), token.oov() ? 1 : 0, token.line()));
        Perplexity.Report report = Perplexity.score(model, TextSource.of(file), options, lines, tokens);
        if (!report.complete()) {
            // The reader went away (| head): figures of the part read so far would pass for the text's.
            err.println("rnn perplexity: stopped after " + report.lines() + " lines, stdout was closed;"
                    + " no summary of a partial text");
        } else if (!perLine && !perToken) {
            out.println(json ? Json.toJson(report.fields()) : String.join("\n", report.describe()));
        } else if (!verbosity.quiet()) {
            report.describe().forEach(line -> err.println("rnn perplexity: " + line));
        }
        if (verbosity.level() >= 1) {
            err.printf(Locale.ROOT, "rnn perplexity: scored %d tokens in %.2f s (%.0f tokens/s)%n", report.tokens(),
                    report.seconds(), report.tokensPerSecond());
        }
        return ExitCodes.OK;
    }

    /** Writes one result line at once, for pipelines; false (stop) once stdout is closed. */
    private static boolean emit(PrintWriter out, String line) {
        out.println(line);
        out.flush();
        return !out.checkError();
    }
}
