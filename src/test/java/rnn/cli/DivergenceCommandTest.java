package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ModelStore;

/** A diverging run through the CLI: exit 1, one line saying what to change, and a model that still loads. */
class DivergenceCommandTest {
    @TempDir
    Path temp;

    @Test
    void explodingLossExitsOneWithOneLineAndKeepsFiniteWeights() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"),
                "one two three four five six seven eight nine ten\n".repeat(20));
        Path model = temp.resolve("model");
        CliRun run = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--cell", "rnn", "--hidden", "8",
                "--embedding", "8", "--init-scale", "0.5", "--optimizer", "sgd", "--lr", "1e30", "--clip", "0",
                "--epochs", "5", "--batch-size", "4", "--window", "4", "--stride", "2", "--validation-split", "0",
                "--quiet");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.firstErrorLine().startsWith("rnn train: the "), run.err());
        assertTrue(run.firstErrorLine().contains("(the last checkpoint is intact); try a lower --lr or --clip"), run.err());

        assertFalse(ModelStore.load(model).model().parameters().hasNonFinite(), "the saved weights are finite");
        assertEquals(0, CliRun.of("predict", "-m", model.toString(), "one two").exitCode());
    }
}
