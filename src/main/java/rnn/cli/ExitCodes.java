package rnn.cli;

import picocli.CommandLine;
import rnn.CancelledException;
import rnn.InvalidConfigException;

/** The one mapping from outcomes to process exit codes. */
public final class ExitCodes implements CommandLine.IExitCodeExceptionMapper {
    public static final int OK = 0;
    public static final int RUNTIME_ERROR = 1;
    public static final int USAGE_ERROR = 2;
    public static final int INTERRUPTED = 130;

    public static int of(Throwable error) {
        if (error instanceof CommandLine.ParameterException || error instanceof InvalidConfigException) {
            return USAGE_ERROR;
        }
        if (error instanceof CancelledException || error instanceof InterruptedException) {
            return INTERRUPTED;
        }
        return RUNTIME_ERROR;
    }

    @Override
    public int getExitCode(Throwable exception) {
        return of(exception);
    }
}
