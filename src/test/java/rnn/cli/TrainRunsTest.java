package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import rnn.checkpoint.Json;
import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.train.Preset;

/**
 * Whole runs through the command line for what the README promises of a successful run: every
 * preset trains, a --valid file is scored each epoch, --json names its fields, loss.png is a PNG,
 * and --patience and --decay-on-plateau act on the validation losses the run reports.
 */
class TrainRunsTest {
    /** Alternating "a b": validation text of "a a" gets worse the better the model learns the training text. */
    private static final String TRAIN = "a b a b a b a b a b a b .\n".repeat(40);
    private static final String VALID = "a a a a b b b b a a .\n".repeat(8);

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(Preset.class)
    void everyPresetTrains(Preset preset) throws IOException {
        StringBuilder text = new StringBuilder();
        String[] words = "the cat sat on a mat and dog ran in park to home we saw sun".split(" ");
        for (int i = 0; i < 3000; i++) {
            text.append(words[(i * 7 + i / 5) % words.length]).append(i % 12 == 11 ? " .\n" : " ");
        }
        Path corpus = Files.writeString(temp.resolve("c.txt"), text);
        Path model = temp.resolve("model");
        CliRun run = CliRun.of("train", corpus.toString(), "--preset", preset.cliName(), "-o", model.toString(),
                "--epochs", "1", "--max-batches", "1", "--quiet");
        assertEquals(0, run.exitCode(), preset + ": " + run.err());
        assertEquals(0, CliRun.of("predict", "-m", model.toString(), "the cat").exitCode());
        // the model was built and trained as the preset says
        ModelManifest saved = ManifestFiles.read(model);
        assertEquals(preset.value("cell"), saved.network().cell().name().toLowerCase(Locale.ROOT), preset.cliName());
        assertEquals(Integer.parseInt(preset.value("layers")), saved.network().layers(), preset.cliName());
        assertEquals(Integer.parseInt(preset.value("hidden")), saved.network().hidden(), preset.cliName());
        assertEquals(Integer.parseInt(preset.value("embedding")), saved.network().embedding(), preset.cliName());
        assertEquals(Boolean.parseBoolean(preset.value("tied")), saved.network().tied(), preset.cliName());
        assertEquals(Double.parseDouble(preset.value("dropout")), saved.network().dropout(), preset.cliName());
        assertEquals(preset.value("tokenizer"), saved.data().tokenizer(), preset.cliName());
        assertEquals(Integer.parseInt(preset.value("window")), saved.data().window(), preset.cliName());
        assertEquals(Integer.parseInt(preset.value("stride")), saved.data().stride(), preset.cliName());
        assertEquals(Boolean.parseBoolean(preset.value("stateful")), saved.data().stateful(), preset.cliName());
        assertEquals(preset.value("optimizer"), saved.optimization().optimizer(), preset.cliName());
        assertEquals(Double.parseDouble(preset.value("lr")), saved.optimization().lr(), preset.cliName());
        assertEquals(Integer.parseInt(preset.value("batch-size")), saved.optimization().batchSize(), preset.cliName());
    }

    @Test
    void aValidFileRunReportsItsFieldsAndDrawsTheLossPlot() throws IOException {
        List<JsonNode> epochs = train("--epochs", "2");
        for (JsonNode epoch : epochs) {
            List<String> names = new ArrayList<>();
            epoch.fieldNames().forEachRemaining(names::add);
            assertEquals(List.of("epoch", "train_loss", "train_ppl", "valid_loss", "valid_ppl", "valid_acc",
                    "valid_top5_acc", "tokens_per_s", "lr", "seconds"), names);
            assertTrue(epoch.get("valid_loss").asDouble() > 0, "scored on the --valid file: " + epoch);
            assertEquals(Math.exp(epoch.get("valid_loss").asDouble()), epoch.get("valid_ppl").asDouble(),
                    1e-9 * epoch.get("valid_ppl").asDouble());
        }
        assertEquals(List.of(1, 2), epochs.stream().map(e -> e.get("epoch").asInt()).toList());
        byte[] png = Files.readAllBytes(temp.resolve("model").resolve(ModelStore.PLOT));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertEquals(2, Json.mapper().readTree(temp.resolve("model").resolve(ModelStore.HISTORY).toFile()).size());
        // The validation tokens are the --valid file's: as many as it has when it is itself the corpus.
        Path validAsCorpus = temp.resolve("valid-as-corpus");
        CliRun run = CliRun.of("train", temp.resolve("valid.txt").toString(), "-o", validAsCorpus.toString(),
                "--validation-split", "0", "--hidden", "8", "--window", "4", "--epochs", "1", "--max-batches", "1",
                "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        ModelManifest validated = ManifestFiles.read(temp.resolve("model"));
        assertEquals(ManifestFiles.read(validAsCorpus).corpus().tokens(), validated.corpus().validationTokens());
        assertEquals(temp.resolve("valid.txt").toAbsolutePath().toString(), validated.data().validFile());
    }

    @Test
    void patienceStopsAfterThatManyEpochsWithoutImprovement() throws IOException {
        List<JsonNode> epochs = train("--epochs", "8", "--patience", "2");
        double best = Double.POSITIVE_INFINITY;
        int without = 0;
        int expectedStop = 8;
        for (JsonNode epoch : epochs) {
            double loss = epoch.get("valid_loss").asDouble();
            without = loss < best ? 0 : without + 1;
            best = Math.min(best, loss);
            if (without >= 2) {
                expectedStop = epoch.get("epoch").asInt();
                break;
            }
        }
        assertTrue(expectedStop < 8, "this text makes validation worse, so patience has something to do: " + epochs);
        assertEquals(expectedStop, epochs.size(), "stopped right after 2 epochs without improvement: " + epochs);
    }

    @Test
    void decayOnPlateauHalvesTheRateAfterEachEpochWithoutImprovement() throws IOException {
        List<JsonNode> epochs = train("--epochs", "4", "--decay-on-plateau", "--lr-decay", "0.5", "--lr", "0.02");
        double best = Double.POSITIVE_INFINITY;
        double lr = 0.02;
        int decays = 0;
        Iterator<JsonNode> it = epochs.iterator();
        while (it.hasNext()) {
            JsonNode epoch = it.next();
            assertEquals(lr, epoch.get("lr").asDouble(), 1e-15, "epoch " + epoch.get("epoch") + ": " + epochs);
            double loss = epoch.get("valid_loss").asDouble();
            if (loss >= best) {
                lr *= 0.5;
                decays++;
            }
            best = Math.min(best, loss);
        }
        assertEquals(4, epochs.size());
        assertTrue(decays >= 2, "some epochs did not improve, so the rate had to fall: " + epochs);
    }

    private List<JsonNode> train(String... options) throws IOException {
        Path corpus = Files.writeString(temp.resolve("train.txt"), TRAIN);
        Path valid = Files.writeString(temp.resolve("valid.txt"), VALID);
        List<String> args = new ArrayList<>(List.of("train", corpus.toString(), "--valid", valid.toString(), "-o",
                temp.resolve("model").toString(), "--hidden", "16", "--embedding", "8", "--window", "4",
                "--batch-size", "8", "--seed", "3", "--json"));
        args.addAll(List.of(options));
        if (!args.contains("--lr")) {
            args.addAll(List.of("--lr", "0.02"));
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : run.out().lines().toList()) {
            epochs.add(Json.mapper().readTree(line));
        }
        return epochs;
    }
}
