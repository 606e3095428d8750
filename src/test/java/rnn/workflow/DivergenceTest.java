package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.RnnException;
import rnn.checkpoint.ModelStore;
import rnn.engine.CellType;
import rnn.train.TrainConfig;
import rnn.train.TrainConfigBuilder;
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
        TrainConfig config = TrainConfigBuilder.tiny(corpus, model).stride(2).cell(CellType.RNN).embedding(8)
                .initScale(0.5).epochs(5).lr(1e30).build();
        RnnException error = assertThrows(RnnException.class,
                () -> Training.start(config, false, new TrainingListener() { }, () -> false));
        assertTrue(error.getMessage().contains("--lr"), error.getMessage());
        assertTrue(error.getMessage().contains("last checkpoint is intact"), error.getMessage());

        ModelStore.LoadedModel kept = ModelStore.load(model);
        assertTrue(!kept.model().parameters().hasNonFinite(), "the saved weights are finite");
    }
}
