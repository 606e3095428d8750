package rnn.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.cli.ClusterMain;

/**
 * Bad input to the cluster's train command: one line on stderr naming the option or file, exit 1
 * (runtime) or 2 (usage, with the --help hint), never a stack trace, and no model directory left.
 */
class ClusterBadInputTest {
    @TempDir
    Path temp;

    @Test
    void optionsThatMakeNoSenseOnAClusterAreUsageErrors() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), "the cat sat on the mat\n");
        String text = corpus.toString();
        assertUsage(run("train", "-", "--workers", "2", "--master", "local[1]"),
                "- (stdin) cannot be read by a cluster");
        assertUsage(run("train", text, text, "--workers", "2", "--master", "local[1]"),
                "a cluster trains on one CORPUS path, got 2");
        assertUsage(run("train", text, "--workers", "2", "--save-every", "10", "--master", "local[1]"),
                "--save-every is not supported on a cluster");
        assertUsage(run("train", text, "--workers", "0", "--master", "local[1]"), "--workers must be positive, got 0");
        assertUsage(run("train", text, "--workers", "2", "--sync-every", "0", "--master", "local[1]"),
                "--sync-every must be positive, got 0");
        assertUsage(run("train", text, "--master", "local[1]"), "Missing required option: '--workers=N'");
        assertUsage(run("train", text, "--workers", "2"), "no Spark master: give --master URL");
        assertFalse(Files.exists(temp.resolve("models")));
    }

    @Test
    void anUnreachableMasterFailsWithinSeconds() {
        long started = System.nanoTime();
        Run run = run("train", "corpora/sample.txt", "-o", temp.resolve("m").toString(), "--workers", "2",
                "--master", "spark://127.0.0.1:1");
        double seconds = (System.nanoTime() - started) / 1e9;
        assertRuntime(run, "rnn-spark train: --master spark://127.0.0.1:1: cannot reach the master at 127.0.0.1:1 (");
        assertTrue(seconds < 30, seconds + " s");
        assertFalse(Files.exists(temp.resolve("m")));
    }

    /** An output URI naming no file system, or a NameNode nobody runs: one line, exit 1, well within 30 s. */
    @Test
    void anOutputFileSystemThatIsUnknownOrUnreachableIsOneLine() {
        assertRuntime(run("train", "corpora/sample.txt", "-o", "nosuch://host/models/x", "--workers", "2",
                "--master", "local[1]"), "--output nosuch://host/models/x: no file system for it: ");
        long started = System.nanoTime();
        assertRuntime(run("train", "corpora/sample.txt", "-o", "hdfs://127.0.0.1:1/models/x", "--workers", "2",
                "--master", "local[1]"), "hdfs://127.0.0.1:1/models/x: cannot create or lock the model directory: ");
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(seconds < 30, seconds + " s");
    }

    @Test
    void unreadableCorpusUnwritableOutputAndTooManyWorkers() throws IOException {
        Path out = temp.resolve("m");
        assertRuntime(run("train", temp.resolve("missing.txt").toString(), "-o", out.toString(), "--workers", "2",
                "--master", "local[1]"), "missing.txt: no such file (CORPUS, as the cluster's file system sees it)");
        Path latin1 = temp.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9 au lait\nna\u00efve\n".getBytes(StandardCharsets.ISO_8859_1));
        assertRuntime(run("train", latin1.toString(), "-o", out.toString(), "--workers", "2", "--master", "local[1]"),
                "latin1.txt: invalid UTF-8 at byte 3 (line 1)");
        Path file = Files.writeString(temp.resolve("not-a-dir"), "x");
        assertRuntime(run("train", "corpora/sample.txt", "-o", file.toString(), "--workers", "2",
                "--master", "local[1]"), "not-a-dir: exists and is not a directory; choose another --output");
        Path tiny = Files.writeString(temp.resolve("tiny.txt"), "one two three four five six seven eight nine ten\n".repeat(30));
        assertRuntime(run("train", tiny.toString(), "-o", out.toString(), "--workers", "50", "--window", "5",
                "--batch-size", "4", "--master", "local[1]"), "--workers 50 leaves a worker less than one batch: ");
        assertFalse(Files.exists(out));
    }

    private record Run(int code, String err) {
        String firstLine() {
            return err.lines().findFirst().orElse("");
        }
    }

    private static Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("-q");
        StringWriter err = new StringWriter();
        int code = ClusterTrainingTest.run(ClusterMain.commandLine(), new StringWriter(), err, all.toArray(new String[0]));
        return new Run(code, err.toString());
    }

    private static void assertUsage(Run run, String start) {
        assertEquals(2, run.code(), run.err());
        assertTrue(run.firstLine().contains(start), run.err());
        assertTrue(run.err().lines().skip(1).allMatch(line -> line.startsWith("Try 'rnn-spark train --help'")
                || line.startsWith("Usage:") || line.isBlank() || line.startsWith(" ") || line.startsWith("Train")
                || line.startsWith("Takes")), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    private static void assertRuntime(Run run, String start) {
        assertEquals(1, run.code(), run.err());
        assertTrue(run.firstLine().startsWith("rnn-spark train: ") && run.firstLine().contains(start), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
    }
}
