package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

class WindowsCommandTest {
    private static final String MARY = "Mary had a little lamb whose fleece was white as snow.\n";

    @TempDir
    Path dir;

    private String write(String text) throws Exception {
        return Files.writeString(dir.resolve("corpus.txt"), text).toString();
    }

    @Test
    void goldenWindowsOfTheKerasExample() throws Exception {
        CliRun run = CliRun.of("windows", write(MARY), "--window", "4", "--tokenizer", "regex:\\w+");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(String.join("\n",
                "Mary had a little\tlamb",
                "had a little lamb\twhose",
                "a little lamb whose\tfleece",
                "little lamb whose fleece\twas",
                "lamb whose fleece was\twhite",
                "whose fleece was white\tas",
                "fleece was white as\tsnow") + "\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void strideDefaultTokenizerAndLineEndTokens() throws Exception {
        String corpus = write(MARY);
        CliRun run = CliRun.of("windows", corpus, "-w", "3", "--stride", "4", "--lowercase");
        assertEquals("mary had a\tlittle\nlamb whose fleece\twas\nwhite as snow\t.\n", run.out());

        run = CliRun.of("windows", write("a b\nc\n"), "--window", "2", "--tokenizer", "whitespace");
        assertEquals("a b\t<eos>\nb <eos>\tc\n<eos> c\t<eos>\n", run.out());

        run = CliRun.of("windows", write("a\tb\n"), "--window", "2", "--tokenizer", "char");
        assertEquals("a \\t\tb\n\\t b\t\\n\n", run.out());
    }

    @Test
    void bothCommandsAreRegisteredWithHelp() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("vocab") && run.out().contains("windows"), run.out());
        run = CliRun.of("windows", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().startsWith("Usage: rnn windows"), run.out());
    }

    @Test
    void readsStdin() {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream("one two three".getBytes(StandardCharsets.UTF_8)));
            CliRun run = CliRun.of("windows", "-", "--window", "2");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("one two\tthree\n", run.out());
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void badOptionsExitWithTwo() throws Exception {
        String corpus = write(MARY);
        CliRun run = CliRun.of("windows", corpus, "--window", "0");
        assertEquals(2, run.exitCode());
        assertEquals("rnn windows: --window must be at least 1, got 0", run.firstErrorLine());
        run = CliRun.of("windows", corpus, "--window", "2", "--stride", "0");
        assertEquals(2, run.exitCode());
        assertEquals("rnn windows: --stride must be at least 1, got 0", run.firstErrorLine());
        run = CliRun.of("windows", corpus);
        assertEquals(2, run.exitCode());
        assertEquals("rnn windows: Missing required option: '--window=N'", run.firstErrorLine());
        run = CliRun.of("windows", corpus, "--window", "2", "--tokenizer", "bytes");
        assertEquals(2, run.exitCode());
        assertEquals("rnn windows: --tokenizer 'bytes' is not one of: word, whitespace, char, regex:PATTERN",
                run.firstErrorLine());
        run = CliRun.of("windows", dir.resolve("missing.txt").toString(), "--window", "0");
        assertEquals(2, run.exitCode(), "options are checked before the file is opened");
        run = CliRun.of("window", corpus);
        assertEquals(2, run.exitCode());
    }

    @Test
    void runtimeErrorsExitWithOne() throws Exception {
        Path missing = dir.resolve("missing.txt");
        CliRun run = CliRun.of("windows", missing.toString(), "--window", "2");
        assertEquals(1, run.exitCode());
        assertEquals("rnn windows: " + missing + ": no such file", run.firstErrorLine());

        String shortCorpus = write("a b c");
        run = CliRun.of("windows", shortCorpus, "--window", "3");
        assertEquals(1, run.exitCode());
        assertEquals("rnn windows: " + shortCorpus + " has 3 tokens; --window 3 needs at least 4 for one window",
                run.firstErrorLine());

        // Windows as large as an int can be: bounded by the text, not allocated up front (nor overflowing).
        for (String huge : new String[] {"2147483647", "2147483646", "100000000"}) {
            run = CliRun.of("windows", shortCorpus, "--window", huge);
            assertEquals(1, run.exitCode(), run.err());
            assertEquals("rnn windows: " + shortCorpus + " has 3 tokens; --window " + huge + " needs at least "
                    + (Long.parseLong(huge) + 1) + " for one window", run.err().strip());
        }

        Path binary = Files.write(dir.resolve("data.bin"), new byte[] {'a', ' ', 'b', ' ', 'c', '\n', 'd', 0});
        run = CliRun.of("windows", binary.toString(), "--window", "1");
        assertEquals(1, run.exitCode());
        assertEquals("a\tb\nb\tc\n", run.out(), "windows of the lines before the bad byte were printed");
        assertEquals("rnn windows: " + binary + ": binary file: NUL byte at byte 7 (line 2)", run.firstErrorLine());
    }

    @Test
    void stopsSoonAfterStdoutFails() throws Exception {
        String corpus = write("w ".repeat(200_000));
        CountingBrokenWriter broken = new CountingBrokenWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(broken));
        cmd.setErr(new PrintWriter(new StringWriter()));
        int code = cmd.execute("windows", corpus, "--window", "3");
        assertEquals(0, code, "a closed pipe is not an error");
        assertTrue(broken.lines > 0 && broken.lines <= 1024, "wrote " + broken.lines + " of 199,997 lines");
    }

    /** A stdout whose reader has gone: every write fails, as with | head after it exits. */
    private static final class CountingBrokenWriter extends Writer {
        long lines;

        @Override
        public void write(char[] buffer, int offset, int length) throws java.io.IOException {
            for (int i = offset; i < offset + length; i++) {
                if (buffer[i] == '\n') {
                    lines++;
                }
            }
            throw new java.io.IOException("Broken pipe");
        }

        @Override
        public void write(String text, int offset, int length) throws java.io.IOException {
            write(text.toCharArray(), offset, length);
        }

        @Override
        public void flush() throws java.io.IOException {
            throw new java.io.IOException("Broken pipe");
        }

        @Override
        public void close() {
        }
    }
}
