package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;

/**
 * A save that cannot be written (here: the weights path has become a directory, so the atomic
 * rename fails, as it would on a full or failing disk) stops the run with one line and exit 1, and
 * leaves the previous checkpoint exactly as it was: it still loads and resumes.
 */
class SaveFailureTest {
    private static final String[] TINY = {"--hidden", "8", "--embedding", "4", "--window", "4",
            "--validation-split", "0", "--quiet"};

    @TempDir
    Path temp;

    @Test
    void failedSaveLeavesThePreviousCheckpointIntact() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), "the cat sat on the mat .\n".repeat(20));
        Path model = temp.resolve("model");
        assertEquals(0, train("train", corpus.toString(), "-o", model.toString(), "--epochs", "1").exitCode());
        Map<String, byte[]> saved = snapshot(model);

        Path weights = model.resolve(ModelStore.WEIGHTS);
        Files.delete(weights);
        Files.createDirectories(weights.resolve("blocker"));
        CliRun failed = train("train", "--resume", model.toString(), "--epochs", "2");
        assertEquals(1, failed.exitCode(), failed.err());
        assertEquals(1, failed.err().lines().count(), failed.err());
        assertTrue(failed.firstErrorLine().startsWith("rnn train: cannot write " + weights + ": "), failed.err());

        Files.delete(weights.resolve("blocker"));
        Files.delete(weights);
        Files.write(weights, saved.get(ModelStore.WEIGHTS));
        assertEquals(saved.keySet(), snapshot(model).keySet(), "no file added or lost, no temporary file left");
        snapshot(model).forEach((name, bytes) -> assertTrue(Arrays.equals(saved.get(name), bytes), name + " is unchanged"));

        assertEquals(0, CliRun.of("predict", "-m", model.toString(), "the cat").exitCode());
        CliRun resumed = train("train", "--resume", model.toString(), "--epochs", "2");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(2, ManifestFiles.read(model).progress().epochsCompleted());
    }

    /**
     * --force replaces a model: once the new run starts writing, the old model.json goes first, so a
     * failure (or a kill) part-way leaves a directory without a model, never old model.json beside
     * new files it does not describe.
     */
    @Test
    void failedReplacementLeavesNoHalfOldHalfNewModel() throws IOException {
        Path first = Files.writeString(temp.resolve("first.txt"), "the cat sat on the mat .\n".repeat(20));
        Path second = Files.writeString(temp.resolve("second.txt"), "a dog ran in the big park today .\n".repeat(20));
        Path model = temp.resolve("model");
        assertEquals(0, train("train", first.toString(), "-o", model.toString(), "--epochs", "1").exitCode());

        Path weights = model.resolve(ModelStore.WEIGHTS);
        Files.delete(weights);
        Files.createDirectories(weights.resolve("blocker"));
        CliRun failed = train("train", second.toString(), "-o", model.toString(), "--epochs", "1", "--force");
        assertEquals(1, failed.exitCode(), failed.err());
        assertEquals(1, failed.err().lines().count(), failed.err());
        assertTrue(failed.firstErrorLine().contains("cannot write " + weights), failed.err());

        CliRun predict = CliRun.of("predict", "-m", model.toString(), "the cat");
        assertEquals(1, predict.exitCode());
        assertTrue(predict.firstErrorLine().contains(ModelStore.MANIFEST + ": missing"), predict.err());
        Files.delete(weights.resolve("blocker"));
        Files.delete(weights);
        CliRun again = train("train", second.toString(), "-o", model.toString(), "--epochs", "1");
        assertEquals(0, again.exitCode(), "a directory without model.json needs no --force: " + again.err());
        assertEquals(0, CliRun.of("predict", "-m", model.toString(), "the dog").exitCode());
    }

    private static CliRun train(String... args) {
        String[] all = Arrays.copyOf(args, args.length + (args[1].equals("--resume") ? 1 : TINY.length));
        if (args[1].equals("--resume")) {
            all[args.length] = "--quiet";
        } else {
            System.arraycopy(TINY, 0, all, args.length, TINY.length);
        }
        return CliRun.of(all);
    }

    /** Every file in the directory (hidden ones too, so a leftover temporary file shows), by name. */
    private static Map<String, byte[]> snapshot(Path directory) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(directory)) {
            for (Path file : list.filter(Files::isRegularFile).toList()) {
                files.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }
}
