package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data written to stdout that cannot be written (a full disk: /dev/full) is a runtime error, exit 1
 * with one line, not a silent exit 0; a reader that goes away (`| head -1`) stays a quiet exit 0.
 * Both need a real process: the failure lives in the real stdout, which tests otherwise replace.
 */
class StdoutFailureTest {
    @TempDir
    Path temp;

    @Test
    void aFullDeviceIsAnErrorAndAClosedPipeIsNot() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "needs Linux's /dev/full");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append("word").append(i).append(" and more words here .\n");
        }
        Path corpus = Files.writeString(temp.resolve("big.txt"), text);

        for (String[] args : new String[][] {{"vocab", corpus.toString()}, {"windows", "--window", "3", corpus.toString()}, {"--version"}}) {
            Process process = rnn(args).redirectOutput(full).redirectError(temp.resolve("err.txt").toFile()).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            String err = Files.readString(temp.resolve("err.txt"));
            assertEquals(1, process.exitValue(), String.join(" ", args) + ": " + err);
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.matches("rnn( vocab| windows)?: cannot write to stdout: No space left on device\\s*"), err);
        }

        Process head = rnn("windows", "--window", "3", corpus.toString()).redirectError(temp.resolve("err.txt").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(head.getInputStream(), StandardCharsets.UTF_8))) {
            assertTrue(out.readLine().contains("\t"));
        } // closed after one line, as `| head -1` does
        assertTrue(head.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, head.exitValue(), Files.readString(temp.resolve("err.txt")));
        assertEquals("", Files.readString(temp.resolve("err.txt")));
    }

    private static ProcessBuilder rnn(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CliRun.modelsRootFlag(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }
}
