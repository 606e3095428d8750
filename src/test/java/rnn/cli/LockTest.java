package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;

/**
 * Two trainings in one directory: the second is refused while the first runs. The lock is an OS
 * file lock, so a run killed with SIGKILL (which leaves the .lock file, and perhaps a temporary
 * file of an unfinished save) does not block the resume that follows.
 */
class LockTest {
    @TempDir
    Path temp;

    @Test
    void secondRunIsRefusedAndKillMinusNineReleasesTheLock() throws Exception {
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, "the quick brown fox jumps over the lazy dog .\n".repeat(200));
        Path model = temp.resolve("model");
        Process first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CliRun.modelsRootFlag(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train", corpus.toString(),
                "-o", model.toString(), "--epochs", "1000", "--hidden", "8", "--embedding", "4", "--window", "4",
                "--validation-split", "0", "--json")
                .redirectError(temp.resolve("stderr.txt").toFile())
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(),
                StandardCharsets.UTF_8))) {
            String firstEpoch = out.readLine();
            assertTrue(firstEpoch != null && firstEpoch.startsWith("{\"epoch\":1"), "got " + firstEpoch);

            String refusal = model + ": another rnn train is writing there; wait for it or choose another --output";
            for (String[] args : new String[][] {
                    {"train", corpus.toString(), "-o", model.toString(), "--force", "--quiet"},
                    {"train", "--resume", model.toString(), "--quiet"}}) {
                CliRun second = CliRun.of(args);
                assertEquals(1, second.exitCode(), second.err());
                assertEquals("rnn train: " + refusal, second.err().strip());
            }
            assertTrue(first.isAlive(), "the first run is undisturbed");
        } finally {
            first.destroyForcibly(); // SIGKILL
            assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(model.resolve(".lock")), "kill -9 leaves the lock file");
        Path leftover = model.resolve("." + ModelStore.RESUME + ".0123456789abcdef.tmp");
        Files.writeString(leftover, "half a save");

        int done = ManifestFiles.read(model).progress().epochsCompleted();
        CliRun resumed = CliRun.of("train", "--resume", model.toString(), "--epochs", Integer.toString(done + 1), "--quiet");
        assertEquals(0, resumed.exitCode(), "the dead process's lock is gone with it: " + resumed.err());
        assertEquals(done + 1, ManifestFiles.read(model).progress().epochsCompleted());
        assertFalse(Files.exists(leftover), "the unfinished save's temporary file is cleaned up under the lock");
        assertEquals(0, CliRun.of("predict", "-m", model.toString(), "the quick").exitCode());
    }
}
