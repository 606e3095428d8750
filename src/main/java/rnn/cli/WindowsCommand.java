package rnn.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import rnn.RnnException;
import rnn.text.SlidingWindow;
import rnn.text.TextSource;
import rnn.text.TokenStream;

/** rnn windows: the (inputs, next token) pairs training would see, streamed while the text is read. */
@Command(name = "windows", mixinStandardHelpOptions = true,
        description = {
            "Print the training windows of a text as 'inputs joined by spaces<TAB>next token' lines, in corpus order, "
                    + "while reading it (memory: W+1 tokens).",
            "Tabs, newlines and backslashes in tokens are written as \\t, \\n and \\\\."})
public final class WindowsCommand implements Callable<Integer> {
    /** How often to ask stdout whether its reader went away (asking flushes, so not every line). */
    private static final int CHECK_OUTPUT_EVERY = 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Mixin
    TokenizerMixin tokenizer;

    @Parameters(index = "0", paramLabel = "CORPUS|-", description = "UTF-8 text file, or - for stdin.")
    String corpus;

    @Option(names = {"-w", "--window"}, paramLabel = "N", required = true, description = "Input tokens per window.")
    int window;

    @Option(names = {"-s", "--stride"}, paramLabel = "S", defaultValue = "1",
            description = "Tokens between window starts (default: ${DEFAULT-VALUE}); may exceed the window.")
    int stride;

    @Override
    public Integer call() {
        SlidingWindow sliding = new SlidingWindow(window, stride);
        PrintWriter out = spec.commandLine().getOut();
        StringBuilder line = new StringBuilder();
        TextSource source = TextSource.of(corpus);
        TokenStream.Summary summary = TokenStream.forEach(source, tokenizer.spec().tokenizer(), token -> {
            if (!sliding.push(token)) {
                return true;
            }
            line.setLength(0);
            for (int t = 0; t < window; t++) {
                TokenEscaping.append(t == 0 ? line : line.append(' '), sliding.input(t));
            }
            TokenEscaping.append(line.append('\t'), sliding.next()).append('\n');
            out.append(line);
            // Stop once stdout is closed (e.g. | head), instead of reading a huge file to the end.
            return sliding.windowCount() % CHECK_OUTPUT_EVERY != 0 || !out.checkError();
        });
        if (summary.complete() && sliding.windowCount() == 0) {
            throw new RnnException(source.name() + " has " + summary.tokens() + " tokens; --window " + window
                    + " needs at least " + (window + 1L) + " for one window");
        }
        return ExitCodes.OK;
    }
}
