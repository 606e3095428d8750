package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ModelStore;

/**
 * `rnn train` on text it cannot use: exit 1, one line on stderr that names the file and says what
 * is wrong, and no model written.
 */
class TrainBadInputTest {
    private static final String[] TINY = {"--hidden", "8", "--embedding", "4", "--epochs", "1", "--quiet"};

    @TempDir
    Path temp;

    @Test
    void trainingTextShorterThanOneWindowIsNamed() throws IOException {
        Path corpus = write("short.txt", "a b c\n");
        CliRun run = train(corpus, "--window", "4", "--validation-split", "0");
        assertRefused(run, "short.txt has 3 tokens; --window 4 needs at least 5");

        CliRun streams = train(corpus, "--window", "4", "--validation-split", "0", "--stateful", "--batch-size", "4");
        assertRefused(streams, "short.txt has 3 tokens; 4 streams (--batch-size) need at least 8");
    }

    @Test
    void validationTextTooShortIsRefusedBeforeTheFirstEpoch() throws IOException {
        Path corpus = write("c.txt", "the cat sat on the mat .\n".repeat(20));
        Path valid = write("valid.txt", "the cat\n");
        CliRun file = train(corpus, "--window", "4", "--valid", valid.toString());
        assertRefused(file, "valid.txt has 2 tokens; --window 4 needs at least 5");

        CliRun split = train(corpus, "--window", "8", "--validation-split", "0.02");
        assertRefused(split, "the validation part of " + corpus + " (--validation-split 0.02) has 3 tokens");
    }

    @Test
    void absurdWindowOrBatchNeverAllocatesForIt() throws IOException {
        Path corpus = write("c.txt", "the cat sat on the mat .\n".repeat(20));
        assertRefused(train(corpus, "--window", "2000000000", "--validation-split", "0"),
                "c.txt has 140 tokens; --window 2000000000 needs at least 2000000001");
        assertRefused(train(corpus, "--window", "2000000000", "--stateful", "--batch-size", "2000000000",
                "--validation-split", "0"), "c.txt has 140 tokens; 2000000000 streams");

        // A batch larger than the text simply holds every window.
        CliRun allInOne = train(corpus, "--window", "4", "--batch-size", "2000000000", "--validation-split", "0");
        assertEquals(0, allInOne.exitCode(), allInOne.err());
    }

    private CliRun train(Path corpus, String... options) {
        List<String> args = new ArrayList<>(List.of("train", corpus.toString(), "-o", output().toString()));
        args.addAll(List.of(TINY));
        args.addAll(List.of(options));
        return CliRun.of(args.toArray(String[]::new));
    }

    private Path output() {
        return temp.resolve("model");
    }

    private void assertRefused(CliRun run, String expected) {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(run.firstErrorLine().startsWith("rnn train: "), run.err());
        assertTrue(run.firstErrorLine().contains(expected), "'" + run.firstErrorLine() + "' should contain '" + expected + "'");
        assertFalse(Files.exists(output().resolve(ModelStore.MANIFEST)), "no model was written");
    }

    private Path write(String name, String text) throws IOException {
        Path file = temp.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
