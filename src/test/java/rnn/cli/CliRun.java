package rnn.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/** One run of the rnn command line with captured stdout and stderr. */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        cmd.getOut().flush();
        cmd.getErr().flush();
        return new CliRun(code, out.toString(), err.toString());
    }

    String firstErrorLine() {
        return err.lines().findFirst().orElse("");
    }
}
