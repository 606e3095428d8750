package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import rnn.checkpoint.Json;
import rnn.checkpoint.ModelStore;
import rnn.workflow.TestModels;

/** rnn summary through the command line. */
class SummaryCommandTest {
    @TempDir
    static Path temp;
    static Path model;

    @BeforeAll
    static void train() {
        model = TestModels.train(temp.resolve("model"), TestModels.Spec.windows().withEpochs(1), TestModels.RHYMES, 2);
    }

    @Test
    void printsTheTableAndTheSettings() {
        CliRun run = CliRun.of("summary", "-m", model.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        long parameters = ModelStore.load(model).model().parameters().count();
        assertEquals("Model: " + model, lines.get(0));
        assertTrue(lines.get(2).matches(" Layer \\(type\\) +Output Shape +Param #"), lines.get(2));
        assertTrue(lines.stream().anyMatch(l -> l.matches(" lstm \\(LSTM\\) +\\(batch, 6, 24\\) +" + String.format(Locale.ROOT, "%,d", 4 * 24 * (16 + 24 + 2)))),
                run.out());
        assertTrue(lines.contains(String.format(Locale.ROOT, "Total params: %,d (%.2f MB as float32)", parameters, parameters * 4 / 1e6)), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("vocabulary: ") && l.endsWith("tokenizer word")), run.out());
        assertTrue(lines.contains("sequences: windows of 6, stride 1, objective all, batch 8"), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("training: 1 of 1 epochs completed")), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("corpus: ") && l.contains("model.txt")), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("provenance: rnn ")), run.out());
        assertEquals("", run.err());
    }

    @Test
    void jsonHasTheLayersAndTotals() throws IOException {
        CliRun run = CliRun.of("summary", "-m", model.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode summary = Json.mapper().readTree(run.out());
        long total = 0;
        for (JsonNode layer : summary.get("layers")) {
            total += layer.get("parameters").asLong();
        }
        assertEquals(ModelStore.load(model).model().parameters().count(), summary.get("total_parameters").asLong());
        assertEquals(total, summary.get("total_parameters").asLong());
        assertEquals("decoder", summary.get("layers").get(2).get("name").asText());
        assertEquals(6, summary.get("sequences").get("window").asInt());
        assertEquals(1, summary.get("history").get("epochs_completed").asInt());
        assertTrue(summary.get("provenance").has("rnn"));
    }

    @Test
    void aMissingOrBrokenModelIsOneLineAndExitOne() throws IOException {
        CliRun missing = CliRun.of("summary", "-m", temp.resolve("nothing").toString());
        assertEquals(1, missing.exitCode());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.firstErrorLine().contains("no such model directory"), missing.err());

        Path broken = temp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(model.resolve(ModelStore.MANIFEST), broken.resolve(ModelStore.MANIFEST));
        Files.write(broken.resolve(ModelStore.WEIGHTS), new byte[] {1, 2, 3});
        CliRun damaged = CliRun.of("summary", "-m", broken.toString());
        assertEquals(1, damaged.exitCode());
        assertEquals(1, damaged.err().lines().count(), damaged.err());
        assertTrue(damaged.firstErrorLine().contains("model.safetensors"), damaged.err());
    }
}
