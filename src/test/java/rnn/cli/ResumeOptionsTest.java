package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.train.EpochResult;

/**
 * --resume continues a run exactly: options that would change its model or data are refused, all
 * named in one line; the epochs, learning rate and schedule, patience, threads and save-every are
 * applied, reported on stderr and recorded in model.json.
 */
class ResumeOptionsTest {
    @TempDir
    Path temp;
    Path corpus;
    Path model;

    @BeforeEach
    void trainOneEpoch() throws IOException {
        corpus = Files.writeString(temp.resolve("c.txt"), "the cat sat on the mat .\n".repeat(20));
        model = temp.resolve("m");
        CliRun run = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--hidden", "8", "--embedding", "4",
                "--epochs", "1", "--window", "4", "--optimizer", "sgd", "--lr", "0.5", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
    }

    @Test
    void optionsThatChangeTheModelOrDataAreRefusedByName() throws IOException {
        byte[] before = Files.readAllBytes(model.resolve(ModelStore.MANIFEST));
        CliRun run = CliRun.of("train", "--resume", model.toString(), "--lr", "5", "--cell", "gru", "--threads", "2",
                "--max-batches", "3");
        assertEquals(2, run.exitCode(), run.err());
        assertEquals("rnn train: --resume continues " + model + " as it was saved, so it refuses --cell;"
                + " it accepts --epochs, --lr, --lr-decay, --decay-after, --decay-on-plateau,"
                + " --patience, --threads, --save-every and --max-batches", run.firstErrorLine());
        assertArrayEquals(before, Files.readAllBytes(model.resolve(ModelStore.MANIFEST)), "nothing was changed");

        CliRun withCorpus = CliRun.of("train", corpus.toString(), "--resume", model.toString());
        assertEquals(2, withCorpus.exitCode(), withCorpus.err());
        assertTrue(withCorpus.firstErrorLine().contains("so it refuses CORPUS (" + corpus + ")"), withCorpus.err());

        CliRun withPreset = CliRun.of("train", "--resume", model.toString(), "--preset", "seed", "--window", "3");
        assertTrue(withPreset.firstErrorLine().contains("so it refuses --preset, --window;"), withPreset.err());
    }

    @Test
    void allowedChangesAreAppliedReportedAndRecorded() {
        CliRun run = CliRun.of("train", "--resume", model.toString(), "--epochs", "3", "--lr", "0.1",
                "--lr-decay", "0.5", "--decay-after", "2", "--threads", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("resuming with --epochs 3 (was 1), --lr 0.1 (was 0.5), --lr-decay 0.5 (was 1.0),"
                + " --decay-after 2 (was 0)\n"), run.err());

        ModelManifest manifest = ManifestFiles.read(model);
        assertEquals(3, manifest.optimization().epochs());
        assertEquals(0.1, manifest.optimization().lr());
        assertEquals(0.5, manifest.optimization().lrDecay());
        List<EpochResult> history = manifest.progress().history();
        assertEquals(List.of(0.5, 0.1, 0.05), history.stream().map(EpochResult::learningRate).toList(),
                "epoch 1 at the old rate, 2 at the new one, 3 halved (the decay applies after epoch 2)");
        List<ModelManifest.Session> sessions = manifest.sessions();
        assertEquals(List.of("train", "resume"), sessions.stream().map(ModelManifest.Session::kind).toList());
        assertEquals(2, sessions.get(1).epoch());
        assertEquals(Map.of("epochs", "3", "lr", "0.1", "lr-decay", "0.5", "decay-after", "2"), sessions.get(1).changes());

        CliRun summary = CliRun.of("summary", "-m", model.toString());
        assertTrue(summary.out().contains("training: 3 of 3 epochs completed"), summary.out());
    }

    @Test
    void fewerEpochsThanCompletedIsRefused() {
        assertEquals(0, CliRun.of("train", "--resume", model.toString(), "--epochs", "2", "--quiet").exitCode());
        CliRun run = CliRun.of("train", "--resume", model.toString(), "--epochs", "1");
        assertEquals(2, run.exitCode(), run.err());
        assertEquals("rnn train: --epochs 1 is fewer than the 2 epochs " + model + " has already completed",
                run.firstErrorLine());
        CliRun summary = CliRun.of("summary", "-m", model.toString());
        assertTrue(summary.out().contains("training: 2 of 2 epochs completed"), summary.out());
    }
}
