package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The README's usage section shows `rnn train --help` exactly as it prints. */
class ReadmeHelpTest {
    private static final String COMMAND = "    $ bin/rnn train --help";

    @Test
    void readmeShowsTrainHelpAsItPrints() throws IOException {
        CliRun help = CliRun.of("train", "--help");
        assertEquals(0, help.exitCode(), help.err());
        assertEquals(help.out().replace(System.lineSeparator(), "\n").stripTrailing(), readmeCopy(),
                "README.md's copy of `rnn train --help` differs from what it prints; paste the output of"
                        + " `bin/rnn train --help | sed 's/^./    &/'` below the line '" + COMMAND.strip() + "'");
    }

    /** The indented block under the command line, indentation removed, up to the first unindented line. */
    private static String readmeCopy() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf(COMMAND);
        assertTrue(start >= 0, "README.md has no line '" + COMMAND + "'");
        List<String> copy = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (!line.isEmpty() && !line.startsWith("    ")) {
                break;
            }
            copy.add(line.isEmpty() ? "" : line.substring(4));
        }
        return String.join("\n", copy).stripTrailing();
    }
}
