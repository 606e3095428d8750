package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.train.ResumeChanges;
import rnn.train.RunConfig;
import rnn.train.TrainingListener;
import rnn.workflow.TestModels;
import rnn.workflow.Training;

/**
 * What the README's "saves are atomic" rests on, observed through {@link AtomicFiles.Durability}:
 * each file is written whole to a temporary file, forced to disk, renamed over the target, and the
 * directory forced; and a checkpoint saves its files in the order that keeps model.json from ever
 * describing files that are not there yet (weights, resume file, model.json, history.json).
 */
class DurableSaveTest {
    @TempDir
    Path temp;

    private AtomicFiles.Durability original;

    @AfterEach
    void restore() {
        if (original != null) {
            AtomicFiles.useDurability(original);
        }
    }

    @Test
    void everyFileIsSyncedRenamedAndItsDirectorySynced() throws IOException {
        List<String> steps = record();
        Path target = temp.resolve("f.txt");
        AtomicFiles.writeString(target, "hello");
        assertEquals(3, steps.size(), steps.toString());
        assertTrue(steps.get(0).matches("sync \\.f\\.txt\\.[0-9a-f]{16}\\.tmp \\(5 bytes\\)"), steps.toString());
        assertTrue(steps.get(1).matches("rename \\.f\\.txt\\.[0-9a-f]{16}\\.tmp -> f\\.txt"), steps.toString());
        assertEquals("sync directory " + temp.getFileName(), steps.get(2));
        assertEquals("hello", Files.readString(target));
    }

    @Test
    void aCheckpointSavesDurablyInItsOrder() {
        Path model = TestModels.train(temp.resolve("model"), TestModels.Spec.windows().withEpochs(1), TestModels.RHYMES, 2);
        List<String> steps = record();
        Training.resume(model, ResumeChanges.epochs(2), new RunConfig(model.toString(), 0, 0, 0),
                new TrainingListener() { }, () -> false);
        // The run first records itself as the model trained last (in the models root, a write of its
        // own with the same three steps); the checkpoint's steps follow.
        assertTrue(steps.get(1).endsWith("-> " + LatestModel.RECORD), steps.toString());
        steps.subList(0, 3).clear();
        // The second epoch's save; the weights come first only when validation improved, so they may be absent.
        List<String> renamed = steps.stream().filter(s -> s.startsWith("rename ")).map(s -> s.substring(s.indexOf("-> ") + 3))
                .toList();
        List<String> expected = new ArrayList<>(List.of(ModelStore.RESUME, ModelStore.MANIFEST, ModelStore.HISTORY));
        if (renamed.get(0).equals(ModelStore.WEIGHTS)) {
            expected.add(0, ModelStore.WEIGHTS);
        }
        assertEquals(expected, renamed.subList(0, expected.size()), steps.toString());
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).startsWith("rename ")) {
                assertTrue(steps.get(i - 1).startsWith("sync ." + steps.get(i).substring(steps.get(i).indexOf("-> ") + 3)),
                        "synced before renamed: " + steps);
                assertEquals("sync directory model", steps.get(i + 1), "directory synced after the rename: " + steps);
            }
        }
    }

    /** Records each step (file names only) and then does it for real. */
    private List<String> record() {
        List<String> steps = new ArrayList<>();
        original = AtomicFiles.useDurability(new AtomicFiles.Durability() {
            @Override
            public void sync(FileChannel channel, Path file) throws IOException {
                steps.add("sync " + file.getFileName() + " (" + channel.size() + " bytes)");
                AtomicFiles.Durability.super.sync(channel, file);
            }

            @Override
            public void rename(Path from, Path to) throws IOException {
                steps.add("rename " + from.getFileName() + " -> " + to.getFileName());
                AtomicFiles.Durability.super.rename(from, to);
            }

            @Override
            public void syncDirectory(Path directory) {
                steps.add("sync directory " + directory.getFileName());
                AtomicFiles.Durability.super.syncDirectory(directory);
            }
        });
        return steps;
    }
}
