package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ManifestFiles;

/**
 * Ctrl-C on a real process: `rnn train` finishes the step, saves, says how to resume and exits 130;
 * --resume then completes the run.
 */
class InterruptTest {
    @TempDir
    Path temp;

    @Test
    void sigintSavesExitsWith130AndTheRunResumes() throws Exception {
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, "the quick brown fox jumps over the lazy dog .\n".repeat(200));
        Path model = temp.resolve("model");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CliRun.modelsRootFlag(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train", corpus.toString(),
                "-o", model.toString(), "--epochs", "1000", "--hidden", "16", "--embedding", "8",
                "--validation-split", "0.1", "--json")
                .redirectError(temp.resolve("stderr.txt").toFile())
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String firstEpoch = out.readLine(); // the first epoch is done and saved
            assertTrue(firstEpoch != null && firstEpoch.startsWith("{\"epoch\":1"), "got " + firstEpoch);
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits after Ctrl-C");
        }
        String stderr = Files.readString(temp.resolve("stderr.txt"));
        assertEquals(130, process.exitValue(), stderr);
        List<String> lines = stderr.lines().toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("interrupted in epoch") && last.contains("rnn train --resume " + model), stderr);

        int done = ManifestFiles.read(model).progress().epochsCompleted();
        assertTrue(done >= 1, "at least the first epoch was saved");
        CliRun resumed = CliRun.of("train", "--resume", model.toString(), "--epochs", Integer.toString(done + 1),
                "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(done + 1, ManifestFiles.read(model).progress().epochsCompleted());
    }

    /**
     * SIGTERM while the end-of-epoch validation runs (a long held-out file): the trained epoch is
     * saved as "trained, not validated", the message says so, and --resume only validates it.
     */
    @Test
    void sigtermDuringValidationSavesTheTrainedEpoch() throws Exception {
        java.util.Random random = new java.util.Random(3);
        String[] words = "the quick brown fox jumps over a lazy dog and cat sat on mat".split(" ");
        StringBuilder valid = new StringBuilder();
        for (int line = 0; line < 30_000; line++) {
            for (int w = 0; w < 10; w++) {
                valid.append(words[random.nextInt(words.length)]).append(w < 9 ? " " : "\n");
            }
        }
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, valid.substring(0, 20_000));
        Path validation = temp.resolve("valid.txt");
        Files.writeString(validation, valid);  // 300,000 tokens: seconds of validation
        Path model = temp.resolve("model");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CliRun.modelsRootFlag(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train",
                corpus.toString(), "--valid", validation.toString(), "-o", model.toString(), "--epochs", "1",
                "--max-batches", "2", "-v")
                .redirectOutput(temp.resolve("stdout.txt").toFile())
                .start();
        StringBuilder stderr = new StringBuilder();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                stderr.append(line).append('\n');
                if (line.startsWith("epoch 1: validating on 300,000 tokens")) {
                    // Not Process.destroy(): it also closes the streams this loop reads.
                    new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
                }
            }
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits after SIGTERM");
        }
        assertEquals(143, process.exitValue(), stderr.toString());  // 128 + SIGTERM, as the JVM exits on it
        assertTrue(stderr.toString().contains("interrupted while validating epoch 1; its training is saved"),
                stderr.toString());
        rnn.train.Progress saved = rnn.checkpoint.DirectoryCheckpointer.readResume(model, ManifestFiles.read(model))
                .progress();
        assertEquals(1, saved.epoch());
        assertEquals(2, saved.nextBatch(), "both batches trained");
        assertEquals(0, saved.history().size(), "not yet validated");

        CliRun resumed = CliRun.of("train", "--resume", model.toString(), "--max-batches", "2", "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(1, ManifestFiles.read(model).progress().epochsCompleted());
        assertEquals(2, ManifestFiles.read(model).progress().steps(), "resuming trained nothing more");
    }

    /**
     * Ctrl-C while `train` waits for text on stdin (a pipe nobody writes to), on a FIFO whose
     * writer is idle, or in open() of a FIFO no writer has opened: the wait ends at once (not
     * after the 120 s grace), exit 130, and the output directory the run created is gone again,
     * `.lock` included.
     */
    @Test
    void sigintEndsABlockedReadAndLeavesNothingBehind() throws Exception {
        Path fifo = temp.resolve("fifo");
        Path unopened = temp.resolve("fifo-without-writer");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString(), unopened.toString()).start().waitFor());
        Thread idleWriter = new Thread(() -> {
            try (var writer = Files.newOutputStream(fifo)) { // opens once the reader does, then writes nothing
                Thread.sleep(60_000);
            } catch (IOException | InterruptedException e) {
                // the test is over
            }
        });
        idleWriter.setDaemon(true);
        idleWriter.start();
        for (String corpus : new String[] {"-", fifo.toString(), unopened.toString()}) {
            Path model = temp.resolve("model-" + (corpus.equals("-") ? "stdin" : Path.of(corpus).getFileName()));
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    CliRun.modelsRootFlag(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train", corpus,
                    "-o", model.toString(), "--hidden", "8")
                    .redirectError(temp.resolve("stderr.txt").toFile())
                    .start(); // stdin: a pipe this test keeps open and silent
            for (int i = 0; i < 600 && !Files.exists(model.resolve(".lock")); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(model.resolve(".lock")), "the run has locked its directory and is reading");
            Thread.sleep(500);
            long sent = System.nanoTime();
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            boolean exited = process.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            assertTrue(exited, "exits soon after Ctrl-C: " + corpus);
            double seconds = (System.nanoTime() - sent) / 1e9;
            String stderr = Files.readString(temp.resolve("stderr.txt"));
            assertEquals(130, process.exitValue(), stderr);
            assertTrue(seconds < 10, "took " + seconds + " s");
            assertEquals("rnn train: " + (corpus.equals("-") ? "stdin" : corpus) + ": reading stopped by Ctrl-C",
                    stderr.strip());
            assertTrue(!Files.exists(model), "nothing left behind: " + model);
            process.getOutputStream().close();
        }
        idleWriter.interrupt();
    }
}
