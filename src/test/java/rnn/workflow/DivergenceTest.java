package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.RnnException;
import rnn.checkpoint.DirectoryCheckpointer;
import rnn.checkpoint.ModelStore;
import rnn.engine.CellType;
import rnn.train.Progress;
import rnn.train.RunConfig;
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

    /** The checkpointer itself refuses, so no path (the first save of a run included) can write them. */
    @Test
    void noSaveWritesNonFiniteWeights() throws IOException {
        Path model = TestModels.train(temp.resolve("model"), TestModels.Spec.windows().withEpochs(1), TestModels.RHYMES, 2);
        Map<String, byte[]> before = snapshot(model);
        ModelStore.LoadedModel loaded = ModelStore.load(model);
        loaded.model().parameters().values().get("decoder.bias").putScalar(0, Float.NaN);
        DirectoryCheckpointer checkpointer = DirectoryCheckpointer.reopen(model, loaded.manifest());
        RnnException save = assertThrows(RnnException.class, () -> checkpointer.save(loaded.model(), Map.of(), Map.of(),
                Progress.start(0.1), true));
        assertTrue(save.getMessage().contains("NaN or infinite; not saved"), save.getMessage());
        RnnException begin = assertThrows(RnnException.class, () -> new DirectoryCheckpointer(model).begin(
                new TrainConfig(loaded.manifest().data(), loaded.manifest().network(), loaded.manifest().optimization(),
                        new RunConfig(model.toString(), 0, 0, 0)), loaded.vocabulary(), loaded.model(), null));
        assertTrue(begin.getMessage().contains("NaN or infinite; not saved"), begin.getMessage());
        Map<String, byte[]> after = snapshot(model);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name + " is unchanged"));
    }

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
