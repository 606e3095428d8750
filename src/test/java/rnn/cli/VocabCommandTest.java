package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabCommandTest {
    @TempDir
    Path dir;

    private String write(String text) throws IOException {
        return Files.writeString(dir.resolve("corpus.txt"), text).toString();
    }

    @Test
    void printsTokensAndCountsInIdOrder() throws IOException {
        CliRun run = CliRun.of("vocab", write("the cat, the dog.\nThe end\n"));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("<unk>\t0\nthe\t2\n,\t1\n.\t1\nThe\t1\ncat\t1\ndog\t1\nend\t1\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void appliesTokenizerLowercaseAndCutOffs() throws IOException {
        String corpus = write("the cat <unk>\nThe dog\n");
        CliRun run = CliRun.of("vocab", corpus, "--tokenizer", "whitespace", "--lowercase", "--min-count", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("<unk>\t3\n<eos>\t2\nthe\t2\n", run.out());
        run = CliRun.of("vocab", corpus, "--tokenizer", "whitespace", "--max-vocab", "2");
        assertEquals("<unk>\t5\n<eos>\t2\n", run.out());
    }

    @Test
    void escapesTabsNewlinesAndBackslashes() throws IOException {
        CliRun run = CliRun.of("vocab", write("a\tb\\\n"), "--tokenizer", "char");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("<unk>\t0\n\\t\t1\n\\n\t1\n\\\\\t1\na\t1\nb\t1\n", run.out());
    }

    /** A token that would drive the terminal (ESC, C1, a right-to-left override) is printed escaped, never raw. */
    @Test
    void escapesControlAndBidiCharacters() throws IOException {
        CliRun run = CliRun.of("vocab", write("\u001b[2J \u202eevil\u202c \u009bx\n"), "--tokenizer", "whitespace");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("\\u001b[2J\t1"), run.out());
        assertTrue(run.out().contains("\\u202eevil\\u202c\t1"), run.out());
        assertTrue(run.out().contains("\\u009bx\t1"), run.out());
        assertTrue(run.out().chars().noneMatch(c -> c == 0x1b || c == 0x202e || c == 0x9b), run.out());
    }

    @Test
    void verboseReportsTotalsOnStderr() throws IOException {
        String corpus = write("a b a\n");
        CliRun run = CliRun.of("vocab", corpus, "-v");
        assertEquals(corpus + ": 3 tokens, 3 ids, 0 <unk>", run.firstErrorLine());
    }

    @Test
    void badOptionsExitWithTwo() throws IOException {
        String corpus = write("a b a\n");
        CliRun run = CliRun.of("vocab", corpus, "--min-count", "0");
        assertEquals(2, run.exitCode());
        assertEquals("rnn vocab: --min-count must be at least 1, got 0", run.firstErrorLine());
        run = CliRun.of("vocab", corpus, "--max-vocab", "1");
        assertEquals(2, run.exitCode());
        assertEquals("rnn vocab: --max-vocab must be at least 2 (<unk> and one token), got 1", run.firstErrorLine());
        run = CliRun.of("vocab", corpus, "--min-count", "3");
        assertEquals(2, run.exitCode());
        assertEquals("rnn vocab: --min-count 3 leaves only <unk>: the most frequent token occurs 2 times",
                run.firstErrorLine());
        run = CliRun.of("vocab", corpus, "--tokenizer", "regex:(");
        assertEquals(2, run.exitCode());
        assertTrue(run.firstErrorLine().startsWith("rnn vocab: --tokenizer 'regex:(': invalid regular expression"));
        run = CliRun.of("vocab", corpus, "--min-count", "x");
        assertEquals(2, run.exitCode());
        assertTrue(run.firstErrorLine().startsWith("rnn vocab: Invalid value for option '--min-count'"), run.err());
        run = CliRun.of("vocab");
        assertEquals(2, run.exitCode());
        assertEquals("rnn vocab: Missing required parameter: 'CORPUS|-'", run.firstErrorLine());
    }

    @Test
    void unreadableInputExitsWithOne() throws IOException {
        Path missing = dir.resolve("missing.txt");
        CliRun run = CliRun.of("vocab", missing.toString());
        assertEquals(1, run.exitCode());
        assertEquals("rnn vocab: " + missing + ": no such file", run.firstErrorLine());
        assertEquals(1, run.err().lines().count(), run.err());

        Path bad = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
        run = CliRun.of("vocab", bad.toString());
        assertEquals(1, run.exitCode());
        assertEquals("rnn vocab: " + bad + ": invalid UTF-8 at byte 3 (line 1)", run.firstErrorLine());

        run = CliRun.of("vocab", dir.toString());
        assertEquals(1, run.exitCode());
        assertEquals("rnn vocab: " + dir + ": is a directory, not a text file", run.firstErrorLine());

        run = CliRun.of("vocab", write(" \n\n"));
        assertEquals(1, run.exitCode());
        assertEquals("rnn vocab: " + dir.resolve("corpus.txt") + ": no tokens (is it empty?)", run.firstErrorLine());
    }
}
