package rnn.cli;

import picocli.CommandLine.Help;
import picocli.CommandLine.Option;

/** --quiet / --verbose, shared by every subcommand. */
public final class VerbosityMixin {
    @Option(names = {"-v", "--verbose"}, showDefaultValue = Help.Visibility.NEVER,
            description = "More diagnostics on stderr; repeat (-vv) for debug logs and stack traces.")
    boolean[] verbose = new boolean[0];

    @Option(names = {"-q", "--quiet"}, description = "Only errors on stderr.")
    boolean quiet;

    public int level() {
        return quiet ? -1 : verbose.length;
    }

    public boolean quiet() {
        return quiet;
    }
}
