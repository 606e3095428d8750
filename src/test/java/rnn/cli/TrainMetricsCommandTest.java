package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import rnn.checkpoint.Json;
import rnn.checkpoint.ModelStore;

/**
 * Next-word accuracy on the validation data each epoch: on the console line, in --json,
 * history.json, summary and loss.png; and no perplexity where the loss has none (mse).
 */
class TrainMetricsCommandTest {
    @TempDir
    Path temp;

    @Test
    void accuracyIsReportedEverywhereAndACyclicTextIsLearnedToTheLastWord() throws IOException {
        Path corpus = temp.resolve("cycle.txt");
        Files.writeString(corpus, "one two three four five six seven eight\n".repeat(60));
        Path model = temp.resolve("model");
        CliRun train = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--epochs", "6",
                "--hidden", "24", "--embedding", "16", "--window", "8", "--stride", "1", "--lr", "0.02",
                "--dropout", "0", "--json");
        assertEquals(0, train.exitCode(), train.err());
        List<String> console = train.err().lines().filter(l -> l.startsWith("epoch")).toList();
        assertEquals(6, console.size(), train.err());
        assertTrue(console.get(5).matches(".*\\| valid loss \\d+\\.\\d{4} ppl \\d+\\.\\d{2} acc (\\d\\.\\d{4}) top5 "
                + "(\\d\\.\\d{4}) \\|.*"), console.get(5));
        JsonNode last = Json.mapper().readTree(train.out().lines().reduce((a, b) -> b).orElseThrow());
        double accuracy = last.get("valid_acc").asDouble();
        double top5 = last.get("valid_top5_acc").asDouble();
        // Every word follows from the one before it: a trained model gets (nearly) all of them.
        assertTrue(accuracy > 0.95, "accuracy " + accuracy);
        assertTrue(top5 >= accuracy && top5 <= 1, "top-5 " + top5);
        assertTrue(console.get(5).contains(String.format(java.util.Locale.ROOT, "acc %.4f top5 %.4f", accuracy, top5)),
                console.get(5));
        JsonNode first = Json.mapper().readTree(train.out().lines().findFirst().orElseThrow());
        assertTrue(first.get("valid_acc").asDouble() < accuracy, "epoch 1 knows less: " + first);

        JsonNode history = Json.mapper().readTree(Files.readString(model.resolve(ModelStore.HISTORY)));
        assertEquals(accuracy, history.get(5).get("validation_accuracy").asDouble(), 0.0);
        assertEquals(top5, history.get(5).get("validation_top5_accuracy").asDouble(), 0.0);

        CliRun summary = CliRun.of("summary", "-m", model.toString());
        assertTrue(summary.out().matches("(?s).*best validation loss \\d\\.\\d{4} \\(perplexity \\d+\\.\\d{2}, "
                + "accuracy \\d\\.\\d{4}, top-5 \\d\\.\\d{4}\\) at epoch \\d.*"), summary.out());
        assertTrue(train.err().contains(", accuracy "), "the final line too: " + train.err());

        // The plot gets a second panel (taller) once there are accuracies.
        assertEquals(700, ImageIO.read(model.resolve(ModelStore.PLOT).toFile()).getHeight());
    }

    @Test
    void meanSquaredErrorPrintsNoPerplexity() throws IOException {
        Path corpus = temp.resolve("cycle.txt");
        Files.writeString(corpus, "one two three four five six seven eight\n".repeat(20));
        CliRun train = CliRun.of("train", corpus.toString(), "-o", temp.resolve("mse").toString(), "--epochs", "1",
                "--hidden", "8", "--embedding", "4", "--window", "4", "--loss", "mse", "--json");
        assertEquals(0, train.exitCode(), train.err());
        String line = train.err().lines().filter(l -> l.startsWith("epoch")).findFirst().orElseThrow();
        assertFalse(line.contains("ppl"), line);
        assertTrue(line.contains(" acc "), line);
        assertFalse(train.err().contains("perplexity"), train.err());
        JsonNode epoch = Json.mapper().readTree(train.out().lines().findFirst().orElseThrow());
        assertTrue(epoch.get("train_ppl").isNull() && epoch.get("valid_ppl").isNull(), epoch.toString());
        assertFalse(CliRun.of("summary", "-m", temp.resolve("mse").toString()).out().contains("perplexity"));
    }
}
