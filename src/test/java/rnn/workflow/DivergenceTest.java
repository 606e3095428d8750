package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.RnnException;
import rnn.checkpoint.ModelStore;
import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.engine.loss.Loss;
import rnn.train.TrainConfig;
import rnn.train.TrainingListener;

/** A run whose loss explodes stops with a clear message and never saves non-finite weights. */
class DivergenceTest {
    @TempDir
    Path temp;

    @Test
    void explodingLossStopsAndKeepsTheLastGoodWeights() throws IOException {
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, "one two three four five six seven eight nine ten\n".repeat(20));
        Path model = temp.resolve("model");
        TrainConfig config = new TrainConfig(List.of(corpus.toString()), null, 0.0, "word", false, 1,
                Integer.MAX_VALUE, 4, 2, Objective.ALL, false, CellType.RNN, 1, 8, 8, 0.0, false, "uniform", 0.5,
                0.0, 5, 4, true, "sgd", 1e30, 0.0, 1.0, 0, false, 0.0, Loss.CROSS_ENTROPY, 0, 1, 0, 0, 0,
                model.toString());
        RnnException error = assertThrows(RnnException.class,
                () -> Training.start(config, false, new TrainingListener() { }, () -> false));
        assertTrue(error.getMessage().contains("--lr"), error.getMessage());
        assertTrue(error.getMessage().contains("last checkpoint is intact"), error.getMessage());

        ModelStore.LoadedModel kept = ModelStore.load(model);
        assertTrue(!kept.model().parameters().hasNonFinite(), "the saved weights are finite");
    }
}
