package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Odd prompts for `rnn predict`: empty, all unknown, very long, unusual Unicode and control
 * characters. None may crash; each gets a full ranking on stdout and at most one line on stderr.
 */
class PredictPromptTest {
    @TempDir
    static Path shared;
    static Path windowModel;
    static Path streamModel;

    @BeforeAll
    static void trainTinyModels() throws IOException {
        Path corpus = shared.resolve("corpus.txt");
        Files.writeString(corpus, "the cat sat on the mat .\na dog ran in the park .\n".repeat(10));
        windowModel = shared.resolve("window");
        streamModel = shared.resolve("stream");
        for (String[] extra : new String[][] {{"-o", windowModel.toString()},
                {"-o", streamModel.toString(), "--stateful", "--batch-size", "4"}}) {
            String[] args = concat(new String[] {"train", corpus.toString(), "--hidden", "8", "--embedding", "4",
                    "--epochs", "1", "--window", "4", "--validation-split", "0", "--quiet"}, extra);
            CliRun run = CliRun.of(args);
            assertEquals(0, run.exitCode(), run.err());
        }
    }

    @Test
    void emptyAndBlankPromptsRankFromTheStartState() {
        for (String prompt : new String[] {"", "   ", "\t"}) {
            CliRun run = predict(windowModel, prompt);
            assertRanking(run);
            assertEquals("", run.err(), "nothing unknown in an empty prompt");
        }
    }

    @Test
    void allUnknownWordsAreListedOnOneLine() {
        CliRun run = predict(windowModel, "zebra quagga okapi");
        assertRanking(run);
        assertEquals("rnn predict: not in the vocabulary (read as <unk>): zebra quagga okapi", run.err().strip());
    }

    @Test
    void unknownWordsAreListedOnceAndAtMostTwentyOnStderr() {
        CliRun repeated = predict(windowModel, "zebra the zebra cat zebra");
        assertEquals("rnn predict: not in the vocabulary (read as <unk>): zebra", repeated.err().strip());

        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            prompt.append("word").append(i % 50).append(' ');
        }
        CliRun many = predict(windowModel, prompt.toString());
        assertRanking(many);
        assertEquals("rnn predict: not in the vocabulary (read as <unk>): word0 word1 word2 word3 word4 word5 word6 "
                + "word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 ... (30 more)",
                many.err().strip());
        CliRun json = CliRun.of("predict", "-m", windowModel.toString(), "--json", "--quiet", prompt.toString());
        assertTrue(json.out().contains("\"unknown\":[\"word0\",\"word1\","), json.out());
        assertTrue(json.out().contains("\"word49\"]}"), "--json lists every unknown word once: " + json.out());
    }

    @Test
    void aHundredThousandWordPromptWorksForWindowAndStreamModels() {
        String prompt = "the cat sat on the mat . ".repeat(100_000 / 7);
        CliRun window = predict(windowModel, prompt);
        assertRanking(window);
        // A window model reads the last --window tokens only.
        assertEquals(predict(windowModel, "on the mat .").out(), window.out());

        // A stream model reads all of it, in chunks with the state carried (PredictorTest checks the
        // chunking). 100,000 steps take seconds on two cores, so the suite reads a few chunks' worth;
        // scripts/fault-checks.sh gives it the full 100,000 words.
        assertRanking(predict(streamModel, "the cat sat on the mat . ".repeat(220))); // 1,540 tokens: 4 chunks
    }

    @Test
    void unusualUnicodeAndControlCharacters() {
        String[] prompts = {
                "the cat 😀 sat",                      // emoji (a surrogate pair)
                "שלום עולם the",                         // right-to-left
                "the cafe\u0301 ca\u0308t",              // combining marks
                "the \u200d\u200b\ufeff cat",            // zero-width joiner and space, BOM
                "the\u0000cat \u001b[31mred\u007f",       // NUL, an ANSI escape, DEL
                "the \ud800 cat",                        // a lone surrogate
                "a\u2028b\u2029c \u0085",                // Unicode line and paragraph separators, NEL
        };
        for (String prompt : prompts) {
            for (Path model : new Path[] {windowModel, streamModel}) {
                CliRun run = predict(model, prompt);
                assertRanking(run);
                assertTrue(run.err().lines().count() <= 1, "at most one line on stderr: " + run.err());
                assertFalse(run.err().chars().anyMatch(c -> Character.isISOControl(c) && c != '\n'),
                        "control characters are escaped on stderr: " + run.err());
            }
        }
        CliRun escaped = predict(windowModel, "the \u001b[31mred");
        assertTrue(escaped.err().contains("\\u001b"), escaped.err());
        CliRun reversed = predict(windowModel, "the \u202eder cat");
        assertTrue(reversed.err().contains("\\u202e") && reversed.err().chars().noneMatch(c -> c == 0x202e),
                "a right-to-left override is escaped: " + reversed.err());
        String huge = "z".repeat(5_000_000);
        CliRun long_ = predict(windowModel, "the " + huge);
        assertRanking(long_);
        assertTrue(long_.err().length() < 300, "a 5 MB unknown word is cut short: " + long_.err().length() + " chars");
        assertTrue(long_.err().contains("zzz...(5000000 characters)"), long_.err());
    }

    @Test
    void stdinLinesEachGetAnAnswerEvenEmptyOnes() {
        String lines = "the cat\n\nzebra\n" + "the ".repeat(2_000) + "\n\u00e9t\u00e9 \ud83d\ude00\n";
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)));
            CliRun run = CliRun.of("predict", "-m", streamModel.toString(), "--json", "-k", "3");
            assertEquals(0, run.exitCode(), run.err());
            List<String> answers = run.out().lines().toList();
            assertEquals(5, answers.size(), run.out());
            assertTrue(answers.stream().allMatch(a -> a.startsWith("{\"context\":") && a.contains("\"predictions\":[{")),
                    run.out());
        } finally {
            System.setIn(stdin);
        }
    }

    /** Plain output for several stdin lines: each list under its context, a blank line between; TEXT stays a bare list. */
    @Test
    void stdinContextsGetABlockEachUnderAHeader() {
        String first = CliRun.of("predict", "-m", windowModel.toString(), "-k", "2", "the cat").out();
        String second = CliRun.of("predict", "-m", windowModel.toString(), "-k", "2", "--quiet", "zebra\tdog").out();
        assertEquals(2, first.lines().count(), first);
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("the cat\nzebra\tdog\n".getBytes(StandardCharsets.UTF_8)));
            CliRun run = CliRun.of("predict", "-m", windowModel.toString(), "-k", "2", "--quiet");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals("==> the cat <==\n" + first + "\n==> zebra\\tdog <==\n" + second,
                    run.out().replace(System.lineSeparator(), "\n"));
        } finally {
            System.setIn(stdin);
        }
    }

    private static CliRun predict(Path model, String prompt) {
        return CliRun.of("predict", "-m", model.toString(), prompt);
    }

    /** Exit 0 and five "token TAB probability" lines, probabilities in (0, 1] and falling. */
    private static void assertRanking(CliRun run) {
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(5, lines.size(), run.out());
        double previous = 1;
        for (String line : lines) {
            String[] fields = line.split("\t");
            assertEquals(2, fields.length, line);
            double p = Double.parseDouble(fields[1]);
            assertTrue(p > 0 && p <= previous, line);
            previous = p;
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
