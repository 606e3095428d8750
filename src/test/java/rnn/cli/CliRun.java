package rnn.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;
import rnn.checkpoint.LatestModel;

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

    /**
     * For a test that starts rnn as a process from the project directory: that process records its
     * runs as the model trained last where the in-process runs do (target/test-models, set by the
     * build), not in the checkout's models/.
     */
    static String modelsRootFlag() {
        return "-Drnn.models.root=" + LatestModel.MODELS_ROOT.toAbsolutePath();
    }

    String firstErrorLine() {
        return err.lines().findFirst().orElse("");
    }
}
