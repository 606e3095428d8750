package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.RnnException;
import rnn.train.Progress;
import rnn.train.ResumeChanges;
import rnn.train.RunConfig;
import rnn.train.TrainingListener;
import rnn.workflow.TestModels;
import rnn.workflow.Training;

/**
 * last.safetensors with its digests recomputed (as after a deliberate edit): every field that does
 * not fit the run is refused with a message naming the file, never a crash in the optimizer or a
 * run that trains nonsense (negative epochs, NaN step counts).
 */
class ResumeFileValidationTest {
    @TempDir
    static Path shared;
    static Path windows;
    static Path stream;

    @TempDir
    Path temp;

    @BeforeAll
    static void train() {
        windows = TestModels.train(shared.resolve("windows"), TestModels.Spec.windows().withEpochs(1), TestModels.RHYMES, 2);
        stream = TestModels.train(shared.resolve("stream"), TestModels.Spec.stream().withEpochs(1), TestModels.RHYMES, 2);
    }

    @Test
    void theUneditedFilesResume() throws IOException {
        for (Path model : new Path[] {windows, stream}) {
            Path copy = copy(model, "plain-" + model.getFileName());
            Training.resume(copy, ResumeChanges.epochs(2), new RunConfig(copy.toString(), 0, 0, 0),
                    new TrainingListener() { }, () -> false);
            assertEquals(2, ManifestFiles.read(copy).progress().epochsCompleted());
        }
    }

    @Test
    void editedProgressIsRefused() throws IOException {
        refusesProgress(p -> with(p, -3, p.nextBatch(), p.step(), p.learningRate()), "epoch -3 does not follow the 1 completed");
        refusesProgress(p -> with(p, p.epoch(), -1, p.step(), p.learningRate()), "next batch -1 is negative");
        refusesProgress(p -> with(p, p.epoch(), p.nextBatch(), -5, p.learningRate()), "step -5 is negative");
        refusesProgress(p -> with(p, p.epoch(), p.nextBatch(), p.step(), -0.1), "learning rate -0.1 is not a positive");
        refusesProgress(p -> with(p, p.epoch(), p.nextBatch(), p.step(), Double.NaN), "learning rate NaN is not a positive");
        refusesProgress(p -> new Progress(p.epoch(), p.nextBatch(), p.step(), p.learningRate(), p.bestEpoch(),
                p.bestValidationLoss(), p.epochsWithoutImprovement(), 0, 0, 0, -2.5, p.history()),
                "the epoch's running sums (0.0, 0, 0, -2.5 s) do not fit batch 0");
        RnnException huge = assertThrows(RnnException.class, () -> resume(edit(windows, "huge-batch",
                progressEdit(p -> with(p, p.epoch(), 1_000_000, p.step(), p.learningRate())))));
        assertTrue(huge.getMessage().contains("names batch 1000000 next, but an epoch has"), huge.getMessage());
    }

    @Test
    void editedOptimizerStateIsRefused() throws IOException {
        refusesTensors(windows, t -> t.put("optimizer/adam.t", Nd4j.scalar(Double.NaN).castTo(DataType.FLOAT)),
                "adam.t' must be a whole number of steps, at least 0, got NaN");
        refusesTensors(windows, t -> t.put("optimizer/adam.t", Nd4j.scalar(-4.0).castTo(DataType.FLOAT)),
                "adam.t' must be a whole number of steps, at least 0, got -4.0");
        refusesTensors(windows, t -> {
            t.put("optimizer/adam.m.bogus", Nd4j.zeros(DataType.FLOAT, 3));
            t.put("optimizer/adam.v.bogus", Nd4j.zeros(DataType.FLOAT, 3));
        }, "unexpected optimizer tensor 'optimizer/adam.m.bogus'");
        refusesTensors(windows, t -> {
            t.put("optimizer/adam.m.decoder.bias", Nd4j.zeros(DataType.FLOAT, 3));
            t.put("optimizer/adam.v.decoder.bias", Nd4j.zeros(DataType.FLOAT, 3));
        }, "optimizer tensor 'optimizer/adam.m.decoder.bias' has shape [3], the parameter");
        refusesTensors(windows, t -> t.get("optimizer/adam.v.decoder.bias").putScalar(0, Float.NaN),
                "optimizer tensor 'optimizer/adam.v.decoder.bias' holds NaN or infinite values");
    }

    @Test
    void aStreamModelStoppedMidEpochNeedsItsCarriedState() throws IOException {
        // The saved file is at an epoch boundary (no state); claiming batch 1 next must find the state missing.
        Path edited = edit(stream, "mid-epoch-without-state", progressEdit(p -> new Progress(p.epoch(), 1, p.step(),
                p.learningRate(), p.bestEpoch(), p.bestValidationLoss(), p.epochsWithoutImprovement(), 1.0, 1, 1,
                0, p.history())));
        RnnException error = assertThrows(RnnException.class, () -> resume(edited));
        assertTrue(error.getMessage().contains("a stream model stopped mid-epoch needs tensor 'state.hidden.l0'"),
                error.getMessage());
        refusesTensors(windows, t -> t.put("state.hidden.l0", Nd4j.zeros(DataType.FLOAT, 2, 2)),
                "unexpected tensor 'state.hidden.l0'");
    }

    private void refusesProgress(UnaryOperator<Progress> change, String expected) throws IOException {
        Path edited = edit(windows, "progress-" + expected.hashCode(), progressEdit(change));
        CheckpointFormatException error = assertThrows(CheckpointFormatException.class, () -> resume(edited));
        assertTrue(error.getMessage().startsWith(edited.resolve(ModelStore.RESUME) + ": training progress does not add up: "),
                error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    private void refusesTensors(Path model, Consumer<Map<String, INDArray>> change, String expected) throws IOException {
        Path edited = edit(model, "tensors-" + expected.hashCode(), (metadata, tensors) -> change.accept(tensors));
        CheckpointFormatException error = assertThrows(CheckpointFormatException.class, () -> resume(edited));
        assertTrue(error.getMessage().startsWith(edited.resolve(ModelStore.RESUME) + ": "), error.getMessage());
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    private static void resume(Path model) {
        Training.resume(model, ResumeChanges.epochs(3), new RunConfig(model.toString(), 0, 0, 0),
                new TrainingListener() { }, () -> false);
    }

    private static Progress with(Progress p, int epoch, int nextBatch, long step, double lr) {
        return new Progress(epoch, nextBatch, step, lr, p.bestEpoch(), p.bestValidationLoss(),
                p.epochsWithoutImprovement(), p.epochLossSum(), p.epochPredictions(), p.epochTokens(), p.epochSeconds(),
                p.history());
    }

    private interface Edit {
        void apply(Map<String, String> metadata, Map<String, INDArray> tensors) throws IOException;
    }

    private static Edit progressEdit(UnaryOperator<Progress> change) {
        return (metadata, tensors) -> {
            Progress progress = Json.mapper().readValue(metadata.get(DirectoryCheckpointer.PROGRESS_KEY), Progress.class);
            metadata.put(DirectoryCheckpointer.PROGRESS_KEY, Json.toJson(change.apply(progress)));
        };
    }

    /** A copy of {@code model} whose resume file is rewritten (digests recomputed by the writer) after {@code edit}. */
    private Path edit(Path model, String name, Edit edit) throws IOException {
        Path copy = copy(model, name);
        Path file = copy.resolve(ModelStore.RESUME);
        TensorFile stored = SafetensorsReader.read(file);
        Map<String, String> metadata = new LinkedHashMap<>(stored.metadata());
        Map<String, INDArray> tensors = new LinkedHashMap<>(stored.tensors());
        edit.apply(metadata, tensors);
        SafetensorsWriter.write(file, tensors, metadata);
        return copy;
    }

    private Path copy(Path model, String name) throws IOException {
        Path copy = Files.createDirectories(temp.resolve(name));
        try (Stream<Path> files = Files.list(model)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }
}
