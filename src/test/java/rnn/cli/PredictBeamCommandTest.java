package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import rnn.checkpoint.Json;
import rnn.workflow.TestModels;

/** rnn predict --complete N --beam B through the command line: output formats and usage errors. */
class PredictBeamCommandTest {
    @TempDir
    static Path temp;
    static String model;

    @BeforeAll
    static void train() {
        model = TestModels.train(temp.resolve("model"), TestModels.Spec.stream().withEpochs(2), TestModels.RHYMES, 4)
                .toString();
    }

    @Test
    void plainPrintsTheBestContinuationsFirstWithTheirLog10Probabilities() {
        CliRun run = CliRun.of("predict", "-m", model, "--complete", "4", "--beam", "3", "the cat");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(3, lines.size(), run.out());
        double previous = 0;
        for (String line : lines) {
            String[] fields = line.split("\t", -1);
            assertEquals(2, fields.length, line);
            assertTrue(fields[0].matches("-\\d+\\.\\d{6}"), fields[0]);
            double log10 = Double.parseDouble(fields[0]);
            assertTrue(log10 <= previous, "best first: " + run.out());
            previous = log10;
            assertTrue(fields[1].startsWith("the cat ") && fields[1].length() > "the cat ".length(), fields[1]);
        }
    }

    @Test
    void aBeamOfOnePrintsTheGreedyText() {
        String greedy = CliRun.of("predict", "-m", model, "--complete", "5", "Mary had").out().strip();
        String beam = CliRun.of("predict", "-m", model, "--complete", "5", "--beam", "1", "Mary had").out().strip();
        assertEquals(greedy, beam.substring(beam.indexOf('\t') + 1));
    }

    @Test
    void jsonListsTheCompletions() throws IOException {
        CliRun run = CliRun.of("predict", "-m", model, "--complete", "3", "--beam", "2", "--json", "-q", "the zebra");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode result = Json.mapper().readTree(run.out());
        assertEquals("the zebra", result.get("context").asText());
        assertEquals(2, result.get("completions").size());
        JsonNode best = result.get("completions").get(0);
        assertEquals("the zebra " + best.get("completion").asText(), best.get("text").asText());
        assertTrue(best.get("log10_probability").asDouble() >= result.get("completions").get(1)
                .get("log10_probability").asDouble());
        assertEquals("zebra", result.get("unknown").get(0).asText());
    }

    @Test
    void badBeamsAreUsageErrors() {
        CliRun noComplete = CliRun.of("predict", "-m", model, "--beam", "3", "the cat");
        assertEquals(2, noComplete.exitCode());
        assertTrue(noComplete.firstErrorLine().contains("--beam needs --complete N"), noComplete.err());
        for (String beam : new String[] {"0", "1001"}) {
            CliRun bad = CliRun.of("predict", "-m", model, "--complete", "2", "--beam", beam, "the cat");
            assertEquals(2, bad.exitCode());
            assertTrue(bad.firstErrorLine().contains("--beam must be between 1 and 1000, got " + beam), bad.err());
        }
    }
}
