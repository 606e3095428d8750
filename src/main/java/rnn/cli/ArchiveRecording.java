package rnn.cli;

import java.nio.file.Path;

/**
 * The build's class-data-sharing recording run (target/rnn.jsa, see pom.xml): the commands a user
 * starts with, in one JVM, so that the archive holds the classes of each of them. Training three
 * batches of the sample corpus covers ND4J and the engine; a prediction, a summary and
 * {@code --version} on the model it saved cover the short commands, which load none of those.
 * Not a command of rnn: the build runs it with -XX:ArchiveClassesAtExit.
 *
 * <p>Usage: {@code java -cp rnn.jar rnn.cli.ArchiveRecording CORPUS OUTPUT_DIR}; exits with the
 * first failing command's code.
 */
final class ArchiveRecording {
    private ArchiveRecording() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ArchiveRecording CORPUS OUTPUT_DIR");
            System.exit(ExitCodes.USAGE_ERROR);
        }
        String model = Path.of(args[1]).toString();
        String[][] commands = {
                {"train", args[0], "--epochs", "1", "--max-batches", "3", "-o", model, "--force", "--quiet"},
                {"predict", "-m", model, "Mary had a little"},
                {"predict", "-m", model, "--json", "Mary had a little"},
                {"summary", "-m", model},
                {"--version"},
        };
        for (String[] command : commands) {
            int code = Main.execute(Main.commandLine(), command);
            if (code != ExitCodes.OK) {
                System.exit(code);
            }
        }
        System.exit(ExitCodes.OK);
    }
}
