package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import rnn.checkpoint.Json;
import rnn.workflow.Generator;
import rnn.workflow.TestModels;

/** rnn generate and rnn predict --complete through the command line. */
class GenerateCommandTest {
    @TempDir
    static Path temp;
    static String model;

    @BeforeAll
    static void train() {
        model = TestModels.train(temp.resolve("model"), TestModels.Spec.windows(), TestModels.RHYMES, 10).toString();
    }

    @Test
    void aFixedSeedRepeatsAndAnotherSeedDiffers() {
        CliRun once = CliRun.of("generate", "-m", model, "--prime", "the cat", "-n", "25", "--temperature", "2", "--seed", "9");
        CliRun twice = CliRun.of("generate", "-m", model, "--prime", "the cat", "-n", "25", "--temperature", "2", "--seed", "9");
        CliRun other = CliRun.of("generate", "-m", model, "--prime", "the cat", "-n", "25", "--temperature", "2", "--seed", "10");
        assertEquals(0, once.exitCode(), once.err());
        assertEquals(once.out(), twice.out());
        assertNotEquals(once.out(), other.out());
        assertTrue(once.out().startsWith("the cat "), once.out());
        assertTrue(once.out().endsWith("\n"));
        assertEquals(1, once.out().lines().count(), "the word tokenizer has no line ends: one line of text");
        assertEquals("", once.err(), "nothing but the text, and no seed without -v");
    }

    @Test
    void temperatureZeroAndTopKOneAreTheGreedyCompletion() {
        CliRun complete = CliRun.of("predict", "-m", model, "--complete", "15", "the", "dog");
        CliRun cold = CliRun.of("generate", "-m", model, "--prime", "the dog", "-n", "15", "--temperature", "0");
        CliRun topOne = CliRun.of("generate", "-m", model, "--prime", "the dog", "-n", "15", "--top-k", "1", "--seed", "4");
        assertEquals(0, complete.exitCode(), complete.err());
        assertEquals(1, complete.out().lines().count());
        assertTrue(complete.out().startsWith("the dog "), complete.out());
        assertEquals(complete.out(), cold.out());
        assertEquals(complete.out(), topOne.out());
    }

    @Test
    void completeWithJsonGivesContextCompletionAndText() throws Exception {
        CliRun run = CliRun.of("predict", "-m", model, "--complete", "3", "--json", "Mary had a");
        assertEquals(0, run.exitCode(), run.err());
        var object = Json.mapper().readTree(run.out());
        assertEquals("Mary had a", object.get("context").asText());
        String completion = object.get("completion").asText();
        assertFalse(completion.isBlank());
        String text = object.get("text").asText();
        assertTrue(text.startsWith("Mary had a ") && text.endsWith(completion), text + " / " + completion);
        assertEquals(0, object.get("unknown").size());
        // streamed field by field, it is the object the whole completion makes
        Generator.Result whole = Generator.open(Path.of(model)).complete("Mary had a", 3);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("context", whole.context());
        expected.put("completion", whole.completion());
        expected.put("text", whole.text());
        expected.put("unknown", whole.unknownWords());
        assertEquals(Json.toJson(expected), run.out().strip());
    }

    @Test
    void verboseNamesTheRandomSeedOnStderrOnly() {
        CliRun run = CliRun.of("generate", "-m", model, "-n", "5", "-v");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("rnn generate: seed "), run.err());
        assertFalse(run.out().contains("seed"));
    }

    @Test
    void badValuesAreUsageErrorsBeforeAnyModelIsRead() {
        String missing = temp.resolve("no-such-model").toString();
        String[][] cases = {
                {"generate", "-m", missing, "--temperature", "-1"},
                {"generate", "-m", missing, "--temperature", "NaN"},
                {"generate", "-m", missing, "--top-k", "0"},
                {"generate", "-m", missing, "--top-p", "0"},
                {"generate", "-m", missing, "--top-p", "1.5"},
                {"generate", "-m", missing, "-n", "0"},
                {"predict", "-m", missing, "--complete", "0", "x"}};
        String[] options = {"--temperature", "--temperature", "--top-k", "--top-p", "--top-p", "-n", "--complete"};
        for (int i = 0; i < cases.length; i++) {
            CliRun run = CliRun.of(cases[i]);
            assertEquals(2, run.exitCode(), String.join(" ", cases[i]) + " -> " + run.err());
            assertTrue(run.firstErrorLine().contains(options[i]), run.err());
        }
    }

    @Test
    void aMissingModelIsOneLineAndExitOne() {
        CliRun run = CliRun.of("generate", "-m", temp.resolve("nothing").toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.firstErrorLine().contains("no such model directory"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void unknownWordsAreReportedTheSameWayByPredictAndGenerate() {
        CliRun predict = CliRun.of("predict", "-m", model, "qqq qqq Mary \u0007zz");
        CliRun generate = CliRun.of("generate", "-m", model, "--prime", "qqq qqq Mary \u0007zz", "-n", "3", "--seed", "1");
        CliRun complete = CliRun.of("predict", "-m", model, "--complete", "3", "qqq qqq Mary \u0007zz");
        String words = ": not in the vocabulary (read as <unk>): qqq \\u0007 zz";
        assertEquals("rnn predict" + words, predict.firstErrorLine());
        assertEquals("rnn generate" + words, generate.firstErrorLine());
        assertEquals("rnn predict" + words, complete.firstErrorLine());
    }

    /**
     * predict --complete (--json too) streams like generate: with stdout gone after the first
     * pieces, a billion tokens asked for end at once, instead of being generated and held in
     * memory first.
     */
    @Test
    void aHugeCompletionStreamsAndStopsWithItsReader() {
        String[][] commands = {{"predict", "-m", model, "--complete", "1000000000", "the", "dog"},
                {"predict", "-m", model, "--complete", "1000000000", "--json", "the", "dog"},
                {"generate", "-m", model, "--prime", "the dog", "-n", "1000000000", "--seed", "1"}};
        String[] starts = {"the dog", "{\"context\":\"the dog\",\"completion\":\"", "the dog"};
        for (int i = 0; i < commands.length; i++) {
            String[] args = commands[i];
            StringBuilder received = new StringBuilder();
            Writer closesAfterFirstPieces = new Writer() {
                @Override
                public void write(char[] chars, int offset, int length) throws IOException {
                    if (received.length() > 40) {
                        throw new IOException("Broken pipe");
                    }
                    received.append(chars, offset, length);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(closesAfterFirstPieces));
            cmd.setErr(new PrintWriter(new StringWriter()));
            int code = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> cmd.execute(args));
            assertEquals(0, code);
            assertTrue(received.toString().startsWith(starts[i]), received.toString());
            assertTrue(received.length() > starts[i].length(), "tokens came before the end: " + received);
        }
    }
}
