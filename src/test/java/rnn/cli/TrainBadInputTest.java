package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;

/**
 * `rnn train` on text it cannot use: exit 1, one line on stderr that names the file and says what
 * is wrong, and nothing left on disk (not even the output directory the run created). Text with
 * CRLF or mixed line ends trains exactly like LF text.
 */
class TrainBadInputTest {
    private static final String[] TINY = {"--hidden", "8", "--embedding", "4", "--epochs", "1", "--quiet"};

    @TempDir
    Path temp;

    @Test
    void missingDirectoryOrUnreadableCorpus() throws IOException {
        assertRefused(train(temp.resolve("missing.txt")), "missing.txt: no such file");
        Path directory = Files.createDirectory(temp.resolve("texts"));
        assertRefused(train(directory), "texts: is a directory, not a text file");
        // Tests run as root here, so chmod 000 cannot make a file unreadable (scripts/fault-checks.sh
        // does that with capabilities dropped). /proc/self/mem opens but fails at the first read.
        Path unreadable = Path.of("/proc/self/mem");
        Assumptions.assumeTrue(Files.exists(unreadable), "Linux only");
        assertRefused(train(unreadable), "/proc/self/mem: read error: ");
    }

    @Test
    void emptyBlankBinaryOrNotUtf8() throws IOException {
        assertRefused(train(write("empty.txt", "")), "empty.txt: no tokens (is it empty?)");
        assertRefused(train(write("blank.txt", "  \n\t\n   \r\n\n")), "blank.txt: no tokens (is it empty?)");
        Path binary = temp.resolve("image.bin");
        Files.write(binary, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        assertRefused(train(binary), "image.bin: invalid UTF-8 at byte 0 (line 1)");
        Path withNul = temp.resolve("nul.txt");
        Files.write(withNul, "the cat\nsat\0on the mat\n".getBytes(StandardCharsets.UTF_8));
        assertRefused(train(withNul), "nul.txt: binary file: NUL byte at byte 11 (line 2)");
        Path latin1 = temp.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9 au lait\nna\u00efve\n".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(train(latin1), "latin1.txt: invalid UTF-8 at byte 3 (line 1)");
    }

    /** Several corpora: a bad byte is placed in the file it is in, by that file's own byte and line. */
    @Test
    void severalCorporaNameTheFileAndThePositionInIt() throws IOException {
        Path first = write("first.txt", "the cat sat\r\non the mat\r"); // CRLF, then a lone CR and no final line end
        Path second = temp.resolve("second.txt");
        Files.write(second, "a dog\nran \u00ff".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(train(first, second.toString()), "second.txt: invalid UTF-8 at byte 10 (line 2)");
        Path third = temp.resolve("third.txt");
        Files.write(third, "x\0y\n".getBytes(StandardCharsets.UTF_8));
        assertRefused(train(first, write("ok.txt", "fine text\n").toString(), third.toString()),
                "third.txt: binary file: NUL byte at byte 1 (line 1)");
    }

    /** A FIFO among several corpora is read like a file (opened when reached, on a thread Ctrl-C can abandon). */
    @Test
    void aFifoAmongSeveralCorporaIsRead() throws Exception {
        Path first = write("first.txt", "the cat sat on the mat .\n".repeat(20));
        Path fifo = temp.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "a dog ran in the park .\n".repeat(20));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        CliRun run = train(first, fifo.toString(), "--window", "4", "--validation-split", "0");
        writer.join(10_000);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(rnn.checkpoint.ManifestFiles.read(output()).corpus().tokens() > 200);
    }

    @Test
    void crlfAndMixedLineEndsTrainLikeLf() throws IOException {
        String[] lines = {"the cat sat on the mat .", "a dog ran in the park ."};
        StringBuilder lf = new StringBuilder();
        StringBuilder mixed = new StringBuilder();
        String[] ends = {"\r\n", "\r", "\n"};
        for (int i = 0; i < 30; i++) {
            lf.append(lines[i % 2]).append('\n');
            mixed.append(lines[i % 2]).append(ends[i % 3]);
        }
        Path unix = write("unix.txt", lf.toString());
        Path windows = write("windows.txt", lf.toString().replace("\n", "\r\n"));
        Path both = write("mixed.txt", mixed.toString());
        String[] options = {"--window", "4", "--seed", "3"};
        for (Path corpus : new Path[] {unix, windows, both}) {
            Path model = temp.resolve("model-" + corpus.getFileName());
            List<String> args = new ArrayList<>(List.of("train", corpus.toString(), "-o", model.toString()));
            args.addAll(List.of(TINY));
            args.addAll(List.of(options));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), run.err());
        }
        // Same tokens, same vocabulary, same training: the line ends make no difference.
        String expected = Files.readString(temp.resolve("model-unix.txt").resolve(ModelStore.VOCABULARY));
        assertEquals(expected, Files.readString(temp.resolve("model-windows.txt").resolve(ModelStore.VOCABULARY)));
        assertEquals(expected, Files.readString(temp.resolve("model-mixed.txt").resolve(ModelStore.VOCABULARY)));
        CliRun predict = CliRun.of("predict", "-m", temp.resolve("model-mixed.txt").toString(), "the cat");
        assertEquals(0, predict.exitCode(), predict.err());
        assertEquals(CliRun.of("predict", "-m", temp.resolve("model-unix.txt").toString(), "the cat").out(), predict.out());
    }

    @Test
    void outputThatIsAFileOrCannotBeCreatedIsRefusedBeforeReadingTheCorpus() throws IOException {
        Path file = write("taken", "not a directory\n");
        Path corpus = write("c.txt", "the cat sat on the mat .\n".repeat(20));
        CliRun onFile = CliRun.of("train", corpus.toString(), "-o", file.toString(), "--quiet");
        assertEquals(1, onFile.exitCode());
        assertEquals(file + ": exists and is not a directory; choose another --output",
                onFile.firstErrorLine().substring("rnn train: ".length()));
        assertEquals(1, onFile.err().lines().count(), onFile.err());
        assertEquals("not a directory\n", Files.readString(file), "the file is untouched");

        CliRun under = CliRun.of("train", corpus.toString(), "-o", file.resolve("model").toString(), "--quiet");
        assertEquals(1, under.exitCode());
        assertTrue(under.firstErrorLine().startsWith("rnn train: " + file.resolve("model") + ": cannot write there: "),
                under.err());
        assertEquals(1, under.err().lines().count(), under.err());
    }

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
        assertFalse(Files.exists(output()), "the output directory, created for the run, is gone again");
    }

    private Path write(String name, String text) throws IOException {
        Path file = temp.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
