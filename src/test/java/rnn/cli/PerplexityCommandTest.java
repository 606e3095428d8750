package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine;

import rnn.checkpoint.Json;
import rnn.workflow.TestModels;

/** rnn perplexity through the command line: output formats, stdin, exit codes. */
class PerplexityCommandTest {
    @TempDir
    static Path temp;
    static String model;
    static Path text;
    static final String TEXT = "Mary had a little lamb .\n\nthe zebra sat on the mat .\nthe cat ran home .\n";

    @BeforeAll
    static void train() throws IOException {
        model = TestModels.train(temp.resolve("model"), TestModels.Spec.stream().withEpochs(2), TestModels.RHYMES, 4)
                .toString();
        text = temp.resolve("text.txt");
        Files.writeString(text, TEXT);
    }

    /** `--per-line | head -1`: the reader goes after the first line; no summary may pass for the whole text's. */
    @Test
    void aClosedStdoutSaysTheTextWasNotScoredToTheEnd() throws IOException {
        Path long_ = Files.writeString(temp.resolve("long.txt"), "the cat ran home .\n".repeat(1000));
        StringWriter err = new StringWriter();
        StringWriter firstLine = new StringWriter();
        Writer closesAfterOneLine = new Writer() {
            @Override
            public void write(char[] chars, int offset, int length) throws IOException {
                if (firstLine.toString().contains("\n")) {
                    throw new IOException("Broken pipe");
                }
                firstLine.write(chars, offset, length);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(closesAfterOneLine));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute("perplexity", "-m", model, "--per-line", "--streams", "1", long_.toString());
        assertEquals(0, code, err.toString());
        assertEquals(1, firstLine.toString().lines().count());
        assertTrue(err.toString().matches("rnn perplexity: stopped after \\d+ lines, stdout was closed;"
                + " no summary of a partial text\\R"), err.toString());
    }

    @Test
    void theSummaryNamesEveryFigure() {
        CliRun run = CliRun.of("perplexity", "-m", model, text.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(List.of("text:", "model:", "context:", "tokens:", "log-likelihood:", "cross-entropy:",
                "perplexity:", "perplexity excluding OOVs:"), lines.stream()
                .map(l -> l.substring(0, l.indexOf(':') + 1)).toList());
        assertTrue(run.out().contains("tokens: 22 (1 OOVs)"), "7 + 1 + 8 + 6 tokens, <eos> included: " + run.out());
        assertTrue(run.out().contains("context: stream"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void jsonHoldsTheSameFigures() throws IOException {
        JsonNode summary = Json.mapper().readTree(CliRun.of("perplexity", "-m", model, "--json", text.toString()).out());
        assertEquals(22, summary.get("tokens").asLong());
        assertEquals(1, summary.get("oovs").asLong());
        double log10 = summary.get("log10_likelihood").asDouble();
        assertEquals(Math.pow(10, -log10 / 22), summary.get("perplexity").asDouble(), 1e-9 * summary.get("perplexity").asDouble());
        assertEquals(log10 * Math.log(10), summary.get("ln_likelihood").asDouble(), 1e-9);
        assertTrue(summary.get("perplexity_excluding_oovs").asDouble() > 0);
        assertTrue(summary.get("tokens_per_second").asDouble() > 0);
    }

    @Test
    void perLinePrintsLog10TokensOovsAndTheLine() throws IOException {
        CliRun run = CliRun.of("perplexity", "-m", model, "--per-line", text.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        List<String> input = TEXT.lines().toList();
        assertEquals(input.size(), lines.size());
        double sum = 0;
        for (int i = 0; i < lines.size(); i++) {
            String[] fields = lines.get(i).split("\t", -1);
            assertEquals(4, fields.length, lines.get(i));
            assertTrue(fields[0].matches("-\\d+\\.\\d{6}"), fields[0]);
            assertEquals(input.get(i), fields[3]);
            sum += Double.parseDouble(fields[0]);
        }
        assertEquals("7\t0", lines.get(0).split("\t")[1] + "\t" + lines.get(0).split("\t")[2]);
        assertEquals("1\t0\t", lines.get(1).substring(lines.get(1).indexOf('\t') + 1), "an empty line is its <eos>");
        assertEquals("8\t1", lines.get(2).split("\t")[1] + "\t" + lines.get(2).split("\t")[2]);
        assertTrue(run.err().contains("rnn perplexity: perplexity: "), "the summary goes to stderr: " + run.err());

        JsonNode summary = Json.mapper().readTree(CliRun.of("perplexity", "-m", model, "--json", text.toString()).out());
        assertEquals(summary.get("log10_likelihood").asDouble(), sum, 1e-5, "the lines add up to the whole");

        CliRun json = CliRun.of("perplexity", "-m", model, "--per-line", "--json", "-q", text.toString());
        assertEquals("", json.err());
        JsonNode third = Json.mapper().readTree(json.out().lines().toList().get(2));
        assertEquals(3, third.get("line").asInt());
        assertEquals("the zebra sat on the mat .", third.get("text").asText());
        assertEquals(8, third.get("tokens").asInt());
        assertEquals(1, third.get("oovs").asInt());
        assertEquals(Double.parseDouble(lines.get(2).split("\t")[0]), third.get("log10_probability").asDouble(), 1e-6);
    }

    @Test
    void independentLinesScoreAsEachLineAlone() throws IOException {
        CliRun all = CliRun.of("perplexity", "-m", model, "--per-line", "--independent", "-q", text.toString());
        assertEquals(0, all.exitCode(), all.err());
        List<String> lines = all.out().lines().toList();
        Path third = temp.resolve("third.txt");
        Files.writeString(third, TEXT.lines().toList().get(2) + "\n");
        CliRun alone = CliRun.of("perplexity", "-m", model, "--per-line", "--independent", "-q", third.toString());
        // The same to float rounding: side by side, the products run over more rows (OpenBLAS's
        // blocking differs with them), so the last printed digit may differ.
        String[] together = lines.get(2).split("\t", 2);
        String[] single = alone.out().strip().split("\t", 2);
        assertEquals(together[1], single[1], "the third line's tokens, OOVs and text");
        assertEquals(Double.parseDouble(single[0]), Double.parseDouble(together[0]), 2e-6,
                "the third line scores as it does alone");
        CliRun running = CliRun.of("perplexity", "-m", model, "--per-line", "-q", text.toString());
        assertTrue(!running.out().lines().toList().get(2).equals(lines.get(2)), "contexts across lines change it");

        CliRun summary = CliRun.of("perplexity", "-m", model, "--independent", text.toString());
        assertTrue(summary.out().contains("context: independent lines"), summary.out());
        assertTrue(summary.out().contains("tokens: 22 (1 OOVs)"), summary.out());
    }

    @Test
    void perTokenPrintsEachTokenWithItsLine() throws IOException {
        CliRun run = CliRun.of("perplexity", "-m", model, "--per-token", "--independent", text.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> tokens = run.out().lines().toList();
        assertEquals(22, tokens.size());
        assertEquals(List.of("Mary", "had", "a", "little", "lamb", ".", "<eos>", "<eos>", "the", "zebra"),
                tokens.subList(0, 10).stream().map(t -> t.split("\t")[0]).toList());
        String[] zebra = tokens.get(9).split("\t", -1);
        assertEquals(4, zebra.length, tokens.get(9));
        assertTrue(zebra[1].matches("-\\d+\\.\\d{6}"), zebra[1]);
        assertEquals("1", zebra[2], "zebra is an OOV");
        assertEquals("3", zebra[3], "on line 3");
        assertEquals("0", tokens.get(0).split("\t")[2]);
        assertTrue(run.err().contains("rnn perplexity: perplexity: "), "the summary goes to stderr: " + run.err());

        CliRun perLine = CliRun.of("perplexity", "-m", model, "--per-line", "--independent", "-q", text.toString());
        double thirdLine = Double.parseDouble(perLine.out().lines().toList().get(2).split("\t")[0]);
        double sum = tokens.stream().map(t -> t.split("\t")).filter(f -> f[3].equals("3"))
                .mapToDouble(f -> Double.parseDouble(f[1])).sum();
        assertEquals(thirdLine, sum, 1e-5, "a line's tokens add up to it");

        CliRun json = CliRun.of("perplexity", "-m", model, "--per-token", "--json", "-q", text.toString());
        assertEquals("", json.err());
        JsonNode zebraJson = Json.mapper().readTree(json.out().lines().toList().get(9));
        assertEquals("zebra", zebraJson.get("token").asText());
        assertTrue(zebraJson.get("oov").asBoolean());
        assertEquals(3, zebraJson.get("line").asInt());
        assertTrue(zebraJson.get("log10_probability").asDouble() < 0);

        CliRun both = CliRun.of("perplexity", "-m", model, "--per-token", "--per-line", text.toString());
        assertEquals(2, both.exitCode(), both.err());
        assertTrue(both.firstErrorLine().contains("--per-line and --per-token"), both.err());
    }

    @Test
    void dashReadsStdin() {
        InputStream original = System.in;
        try {
            System.setIn(new ByteArrayInputStream(TEXT.getBytes(StandardCharsets.UTF_8)));
            CliRun piped = CliRun.of("perplexity", "-m", model, "-");
            assertEquals(0, piped.exitCode(), piped.err());
            CliRun file = CliRun.of("perplexity", "-m", model, text.toString());
            assertEquals(file.out().replace("text: " + text, "text: stdin"), piped.out());
        } finally {
            System.setIn(original);
        }
    }

    @Test
    void failuresAreOneLine() throws IOException {
        CliRun noModel = CliRun.of("perplexity", "-m", temp.resolve("nothing").toString(), text.toString());
        assertEquals(1, noModel.exitCode());
        assertEquals(1, noModel.err().lines().count(), noModel.err());
        assertTrue(noModel.firstErrorLine().contains("no such model directory"), noModel.err());

        CliRun noText = CliRun.of("perplexity", "-m", model, temp.resolve("missing.txt").toString());
        assertEquals(1, noText.exitCode());
        assertTrue(noText.firstErrorLine().contains("missing.txt: no such file"), noText.err());

        Path empty = temp.resolve("empty.txt");
        Files.writeString(empty, "");
        CliRun nothing = CliRun.of("perplexity", "-m", model, empty.toString());
        assertEquals(1, nothing.exitCode());
        assertTrue(nothing.firstErrorLine().contains("no tokens"), nothing.err());

        assertEquals(2, CliRun.of("perplexity", "-m", model).exitCode(), "FILE is required");
        for (String streams : new String[] {"0", "1025", "2000000"}) {
            CliRun bad = CliRun.of("perplexity", "-m", model, "--streams", streams, text.toString());
            assertEquals(2, bad.exitCode(), bad.err());
            assertTrue(bad.firstErrorLine().contains("--streams must be between 1 and 1024, got " + streams), bad.err());
        }
    }
}
