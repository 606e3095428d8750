package rnn.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import rnn.RnnException;

/** Entry point: builds the command line, runs it and exits with its code. Nothing else exits. */
@Command(name = "rnn",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train recurrent next-word language models on plain text, then use them.")
public final class Main implements Runnable {
    private static final String COMPLETION = "generate-completion";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: one of " + spec.subcommands().keySet());
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.exit(printVersion());
        }
        // picocli looks for Groovy's Closure class (for closures in annotations, which rnn has none
        // of): a miss that opens and searches every one of the 42 jars on the class path.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
        System.exit(execute(commandLine(args), args));
    }

    /**
     * What picocli prints for {@code rnn --version}, without building its model of the command
     * line: that model, not the JVM, is most of a short command's start.
     */
    private static int printVersion() {
        WatchedStream stdout = new WatchedStream(new FileOutputStream(FileDescriptor.out));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), false);
        for (String line : new VersionProvider().getVersion()) {
            out.println(line);
        }
        out.flush();
        IOException failure = stdout.failure();
        if (failure == null || isBrokenPipe(failure)) {
            return ExitCodes.OK;
        }
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
                StandardCharsets.UTF_8), true);
        err.println("rnn: cannot write to stdout: " + oneLine(failure));
        return ExitCodes.RUNTIME_ERROR;
    }

    /** Runs a configured command line on the process's stdout and stderr; returns the exit code. */
    static int execute(CommandLine commandLine, String[] args) {
        // Data goes to stdout as UTF-8 whatever the locale, through a large buffer; commands flush
        // where a pipe needs it (one line per input line).
        WatchedStream stdout = new WatchedStream(new FileOutputStream(FileDescriptor.out));
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(
                stdout, StandardCharsets.UTF_8), 1 << 16), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        commandLine.setOut(out);
        commandLine.setErr(err);
        int code = ExitCodes.RUNTIME_ERROR;
        try {
            code = commandLine.execute(args);
            out.flush();
            code = checkStdout(stdout.failure(), code, commandLine, err);
            err.flush();
        } finally {
            // Whatever happened, a Ctrl-C hook waiting for the command must not wait out its grace period.
            Interruption.commandFinished();
        }
        return code;
    }

    /**
     * PrintWriter swallows write errors (commands poll checkError() only to stop early), so the
     * data may be lost without a word: a full disk or a failing device is a runtime error. A reader
     * that went away (`| head`) is the normal end of a pipe and stays quiet.
     */
    static int checkStdout(IOException failure, int code, CommandLine commandLine, PrintWriter err) {
        if (failure == null || isBrokenPipe(failure)) {
            return code;
        }
        if (code == ExitCodes.OK) {
            ParseResult parsed = commandLine.getParseResult();
            String name = "rnn";
            if (parsed != null) {
                List<CommandLine> chain = parsed.asCommandLineList();
                name = chain.get(chain.size() - 1).getCommandSpec().qualifiedName();
            }
            err.println(name + ": cannot write to stdout: " + oneLine(failure));
            return ExitCodes.RUNTIME_ERROR;
        }
        return code;
    }

    private static boolean isBrokenPipe(IOException failure) {
        String message = failure.getMessage();
        return message != null && (message.contains("Broken pipe") || message.contains("EPIPE"));
    }

    private static String oneLine(IOException failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message.strip().replaceAll("\\s+", " ");
    }

    /** Stdout that remembers its first write error, which PrintWriter would otherwise hide. */
    static final class WatchedStream extends FilterOutputStream {
        private IOException failure;

        WatchedStream(OutputStream out) {
            super(out);
        }

        IOException failure() {
            return failure;
        }

        @Override
        public void write(int b) throws IOException {
            watch(() -> out.write(b));
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            watch(() -> out.write(bytes, offset, length));
        }

        @Override
        public void flush() throws IOException {
            watch(out::flush);
        }

        private interface Write {
            void run() throws IOException;
        }

        private void watch(Write write) throws IOException {
            try {
                write.run();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
                throw e;
            }
        }
    }

    /** The configured command line with every subcommand; tests call this and swap the writers. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The configured command line for {@code args}: when the first names a subcommand, with that
     * one alone, since picocli builds a model of every registered command's options by reflection
     * before it parses anything (most of a short command's start); otherwise (help, a typo that
     * gets a guess, the completion script, which lists them all) with every subcommand.
     */
    static CommandLine commandLine(String[] args) {
        String first = args.length > 0 ? args[0] : "";
        List<Class<?>> subcommands = subcommands();
        boolean one = !first.equals(COMPLETION) && subcommands.stream().anyMatch(c -> name(c).equals(first));
        CommandLine commandLine = new CommandLine(new Main());
        for (Class<?> subcommand : subcommands) {
            if (!one || name(subcommand).equals(first)) {
                commandLine.addSubcommand(subcommand);
            }
        }
        return configure(commandLine);
    }

    /** The subcommands, in the order the help lists them (made on use: --version loads none of them). */
    private static List<Class<?>> subcommands() {
        return List.of(
                AutoComplete.GenerateCompletion.class,
                TrainCommand.class,
                PresetsCommand.class,
                PredictCommand.class,
                GenerateCommand.class,
                PerplexityCommand.class,
                SummaryCommand.class,
                ServeCommand.class,
                VocabCommand.class,
                WindowsCommand.class);
    }

    private static String name(Class<?> subcommand) {
        return subcommand.getAnnotation(Command.class).name();
    }

    /** Installs the one way commands run, fail and exit (also for the cluster's command line). */
    static CommandLine configure(CommandLine commandLine) {
        commandLine.setExecutionStrategy(Main::execute);
        commandLine.setParameterExceptionHandler(Main::usageError);
        commandLine.setExecutionExceptionHandler((error, cmd, parsed) -> runtimeError(error, cmd, parsed));
        // Set last: the mapper only reaches subcommands that are already registered.
        commandLine.setExitCodeExceptionMapper(new ExitCodes());
        return commandLine;
    }

    private static int execute(ParseResult parsed) {
        int level = verbosity(parsed);
        if (level != 0) {
            Configurator.setRootLevel(level < 0 ? Level.ERROR : level == 1 ? Level.INFO : Level.DEBUG);
        }
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (OutOfMemoryError error) {
            // picocli handles exceptions only; an Error would otherwise end in a JVM stack trace.
            List<CommandLine> chain = parsed.asCommandLineList();
            return runtimeError(error, chain.get(chain.size() - 1), parsed);
        } catch (Error error) {
            List<CommandLine> chain = parsed.asCommandLineList();
            CommandLine cmd = chain.get(chain.size() - 1);
            if (Interruption.requested()) {
                // Ctrl-C came while a library was starting up (ND4J cannot register its shutdown
                // hooks once shutdown has begun): the command was interrupted, not broken.
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": interrupted");
                return ExitCodes.INTERRUPTED;
            }
            return runtimeError(error, cmd, parsed);
        }
    }

    private static int usageError(ParameterException error, String[] args) {
        CommandLine cmd = error.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = error instanceof UnmatchedArgumentException unmatched
                ? DidYouMean.message(unmatched).orElse(error.getMessage()) : error.getMessage();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return ExitCodes.USAGE_ERROR;
    }

    private static int runtimeError(Throwable error, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        int code = ExitCodes.of(error);
        err.println(name + ": " + describe(error));
        if (verbosity(parsed) >= 2) {
            error.printStackTrace(err);
        } else if (!(error instanceof RnnException) && !(error instanceof OutOfMemoryError)) {
            err.println("(an unexpected error; run again with -vv for the stack trace)");
        }
        if (code == ExitCodes.USAGE_ERROR) {
            err.println("Try '" + name + " --help' for more information.");
        }
        return code;
    }

    private static String describe(Throwable error) {
        if (error instanceof RnnException) {
            return error.getMessage();
        }
        if (error instanceof OutOfMemoryError) {
            return "out of memory; give Java more with RNN_JAVA_OPTS=-Xmx8g, or use a smaller model or batch";
        }
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** -1 quiet, 0 normal, 1 verbose, 2 debug: read from the innermost command's mixin. */
    static int verbosity(ParseResult parsed) {
        if (parsed == null) {
            return 0;
        }
        List<CommandLine> chain = parsed.asCommandLineList();
        return verbosity(chain.get(chain.size() - 1).getCommandSpec());
    }

    /** The level of the command's VerbosityMixin, which may sit inside another mixin. */
    private static int verbosity(CommandSpec spec) {
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof VerbosityMixin verbosity) {
                return verbosity.level();
            }
            int nested = verbosity(mixin);
            if (nested != 0) {
                return nested;
            }
        }
        return 0;
    }
}
