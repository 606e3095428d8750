package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import rnn.checkpoint.Json;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ModelStore;

/**
 * {@code rnn train --softmax adaptive}: the options are validated at the edge in one line, stored
 * in model.json with the default cutoffs resolved, kept by --resume, shown by summary and used by
 * every command; a model.json without them (written before they existed) reads as full.
 */
class AdaptiveSoftmaxCommandTest {
    @TempDir
    static Path temp;
    static Path corpus;
    static Path model;

    /** A Zipf-like text over 80 words, so that every cluster of a small model sees its words. */
    @BeforeAll
    static void trainAnAdaptiveModel() throws IOException {
        SplittableRandom random = new SplittableRandom(3);
        StringBuilder text = new StringBuilder();
        for (int line = 0; line < 200; line++) {
            for (int i = 0; i < 12; i++) {
                int rank = (int) Math.floor(Math.exp(random.nextDouble() * Math.log(80)));
                text.append('w').append(rank).append(' ');
            }
            text.append(".\n");
        }
        corpus = Files.writeString(temp.resolve("zipf.txt"), text);
        model = temp.resolve("adaptive");
        CliRun run = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--softmax", "adaptive",
                "--hidden", "8", "--embedding", "8", "--epochs", "1", "--window", "6", "--max-batches", "4", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
    }

    @Test
    void modelJsonStoresTheResolvedCutoffsAndResumeKeepsThem() {
        ModelManifest manifest = ManifestFiles.read(model);
        int vocabulary = manifest.vocabulary().size();
        assertEquals("adaptive", manifest.network().softmax());
        assertEquals(List.of(vocabulary / 2), manifest.network().cutoffs(), "the default for a small vocabulary");
        assertEquals(2.0, manifest.network().divValue(), "the default div value");

        CliRun refused = CliRun.of("train", "--resume", model.toString(), "--softmax", "full");
        assertEquals(2, refused.exitCode(), refused.err());
        assertTrue(refused.firstErrorLine().contains("so it refuses --softmax;"), refused.err());

        CliRun resumed = CliRun.of("train", "--resume", model.toString(), "--epochs", "2", "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.err());
        ModelManifest after = ManifestFiles.read(model);
        assertEquals(2, after.progress().epochsCompleted());
        assertEquals(manifest.network(), after.network());
    }

    @Test
    void summaryShowsTheHeadAndTailRows() {
        CliRun run = CliRun.of("summary", "-m", model.toString());
        assertEquals(0, run.exitCode(), run.err());
        int vocabulary = ManifestFiles.read(model).vocabulary().size();
        int shortlist = vocabulary / 2;
        // Head: (shortlist + 1 cluster) x 8; tail 0: projection 8 / 2 = 4 units, then 4 x cluster size.
        assertTrue(run.out().contains(String.format(" decoder_head (Adaptive head: %d words + 1 clusters)", shortlist)),
                run.out());
        assertTrue(run.out().matches("(?s).*decoder_head .*\\(batch, 6, " + (shortlist + 1) + "\\)\\s+"
                + (shortlist + 1) * 8 + "\n.*"), run.out());
        int tail = vocabulary - shortlist;
        assertTrue(run.out().matches("(?s).* decoder_tail_0 \\(Tail: ids " + shortlist + "-" + (vocabulary - 1)
                + " via 4\\)\\s+\\(batch, 6, " + tail + "\\)\\s+" + (4 * 8 + tail * 4) + "\n.*"), run.out());
    }

    @Test
    void everyCommandRunsOnIt() {
        CliRun predict = CliRun.of("predict", "-m", model.toString(), "-k", "3", "w1 w2");
        assertEquals(0, predict.exitCode(), predict.err());
        assertEquals(3, predict.out().lines().count(), predict.out());
        CliRun generate = CliRun.of("generate", "-m", model.toString(), "-n", "5", "--seed", "1", "--top-k", "4");
        assertEquals(0, generate.exitCode(), generate.err());
        assertFalse(generate.out().isBlank());
        for (String mode : new String[] {"--per-line", "--independent", "--per-token"}) {
            CliRun perplexity = CliRun.of("perplexity", "-m", model.toString(), mode, corpus.toString());
            assertEquals(0, perplexity.exitCode(), mode + ": " + perplexity.err());
        }
        CliRun beam = CliRun.of("predict", "-m", model.toString(), "--complete", "2", "--beam", "2", "w1");
        assertEquals(0, beam.exitCode(), beam.err());
    }

    @Test
    void badSettingsAreRefusedInOneLineBeforeTraining() {
        String[][] cases = {
            {"--softmax adaptive --cutoffs 20,10", "rnn train: --cutoffs must be strictly increasing, got [20, 10]"},
            {"--softmax adaptive --cutoffs 10,x", "rnn train: --cutoffs must be ids separated by commas such as"
                    + " 2000,10000 (or auto), got '10,x'"},
            {"--cutoffs 10", "rnn train: --cutoffs needs --softmax adaptive"},
            {"--div-value 2", "rnn train: --div-value needs --softmax adaptive"},
            {"--softmax adaptive --div-value 0", "rnn train: --div-value must be positive, got 0.0"},
            {"--softmax huge", "rnn train: --softmax must be full or adaptive, got 'huge'"},
            {"--softmax adaptive --tied", "rnn train: --tied cannot be combined with --softmax adaptive"
                    + " (its head is not the embedding's shape); drop one of them"},
            {"--softmax adaptive --loss mse", "rnn train: --softmax adaptive trains with --loss crossentropy only"
                    + " (its exact negative log-likelihood), got --loss mse"},
            {"--softmax adaptive --cutoffs 10,5000", "rnn train: --cutoffs must be at most the vocabulary size"
                    + " minus one ("},
            {"--softmax adaptive --cutoffs 10,20,40 --div-value 4", "rnn train: --div-value 4.0 with --hidden 8 leaves"
                    + " tail cluster 1 a projection of 0 units; use fewer --cutoffs or a smaller --div-value"},
        };
        for (String[] c : cases) {
            Path output = temp.resolve("refused");
            List<String> args = new ArrayList<>(List.of("train", corpus.toString(), "-o", output.toString(),
                    "--hidden", "8", "--embedding", "8", "--epochs", "1", "--quiet"));
            args.addAll(List.of(c[0].split(" ")));
            CliRun run = CliRun.of(args.toArray(new String[0]));
            assertEquals(2, run.exitCode(), c[0] + ": " + run.err());
            assertTrue(run.firstErrorLine().startsWith(c[1]), c[0] + ": " + run.err());
            assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), c[0] + ": " + run.err());
            assertFalse(Files.exists(output.resolve(ModelStore.MANIFEST)), c[0]);
        }
    }

    @Test
    void aModelJsonWithoutTheSoftmaxFieldsReadsAsFull() throws IOException {
        Path full = temp.resolve("full");
        CliRun run = CliRun.of("train", corpus.toString(), "-o", full.toString(), "--hidden", "8", "--embedding", "8",
                "--epochs", "1", "--window", "6", "--max-batches", "2", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        Path file = full.resolve(ModelStore.MANIFEST);
        ObjectNode json = (ObjectNode) Json.mapper().readTree(file.toFile());
        ObjectNode network = (ObjectNode) json.get("network");
        assertEquals("full", network.get("softmax").asText());
        network.remove(List.of("softmax", "cutoffs", "div_value"));
        json.remove("sha256");  // an older or hand-edited file: not checked without it
        Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));

        ModelManifest manifest = ManifestFiles.read(full);
        assertEquals("full", manifest.network().softmax());
        assertNull(manifest.architecture().adaptive());
        CliRun predict = CliRun.of("predict", "-m", full.toString(), "-k", "2", "w1");
        assertEquals(0, predict.exitCode(), predict.err());
    }
}
