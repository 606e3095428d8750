package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.CancelledException;
import rnn.checkpoint.DirectoryCheckpointer;
import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.train.EpochResult;
import rnn.train.Progress;
import rnn.train.ResumeChanges;
import rnn.train.RunConfig;
import rnn.train.TrainConfig;
import rnn.train.TrainConfigBuilder;
import rnn.train.TrainingListener;
import rnn.train.TrainingPlan;

/**
 * Resuming is exact: 2 epochs then --resume to 4 gives the same weights, bit for bit, as 4 epochs in
 * one go, and so does a run cancelled in the middle of an epoch and resumed.
 */
class TrainingResumeTest {
    @TempDir
    Path temp;

    @ParameterizedTest(name = "stateful={0}")
    @ValueSource(booleans = {false, true})
    void resumingAtAnEpochBoundaryMatchesAnUninterruptedRun(boolean stateful) throws IOException {
        Path corpus = corpus();
        Path whole = temp.resolve("whole");
        Path split = temp.resolve("split");
        Training.start(config(corpus, whole, 4, stateful), false, new TrainingListener() { }, () -> false);
        Training.start(config(corpus, split, 2, stateful), false, new TrainingListener() { }, () -> false);
        Training.Result resumed = Training.resume(split, ResumeChanges.epochs(4), run(split), new TrainingListener() { }, () -> false);

        assertEquals(4, resumed.history().size());
        assertSameWeights(whole, split);
        List<EpochResult> history = ManifestFiles.read(split).progress().history();
        assertEquals(4, history.size());
    }

    @Test
    void resumingWithNothingLeftBringsTheManifestLevelWithTheResumeFile() throws IOException {
        // A kill after last.safetensors but before model.json leaves the manifest an epoch behind.
        Path corpus = corpus();
        Path ahead = temp.resolve("ahead");
        Training.start(config(corpus, ahead, 2, false), false, new TrainingListener() { }, () -> false);
        Files.copy(ahead.resolve(ModelStore.RESUME), temp.resolve("resume-after-2"));
        Training.resume(ahead, ResumeChanges.epochs(2), run(ahead), new TrainingListener() { }, () -> false); // nothing to do: no change
        assertEquals(2, ManifestFiles.read(ahead).progress().epochsCompleted());

        Path oneEpoch = temp.resolve("one");
        Training.start(config(corpus, oneEpoch, 1, false), false, new TrainingListener() { }, () -> false);
        Files.copy(temp.resolve("resume-after-2"), oneEpoch.resolve(ModelStore.RESUME),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(1, ManifestFiles.read(oneEpoch).progress().epochsCompleted());
        Training.resume(oneEpoch, ResumeChanges.epochs(2), run(oneEpoch), new TrainingListener() { }, () -> false);
        assertEquals(2, ManifestFiles.read(oneEpoch).progress().epochsCompleted(),
                "model.json now records the epoch the resume file had finished");
    }

    @ParameterizedTest(name = "stateful={0}")
    @ValueSource(booleans = {false, true})
    void resumingAfterCancellationMidEpochMatchesAnUninterruptedRun(boolean stateful) throws IOException {
        Path corpus = corpus();
        Path whole = temp.resolve("whole");
        Path interrupted = temp.resolve("interrupted");
        Training.start(config(corpus, whole, 3, stateful), false, new TrainingListener() { }, () -> false);
        BatchCounter counter = new BatchCounter();
        assertThrows(CancelledException.class, () -> Training.start(config(corpus, interrupted, 3, stateful), false,
                counter, () -> counter.batches.get() >= 7));
        // Cancelled before the 8th batch: the save holds the 7 steps done and names the 8th batch next.
        Progress saved = DirectoryCheckpointer.readResume(interrupted, ManifestFiles.read(interrupted)).progress();
        assertEquals(7, saved.step());
        assertEquals(7, (saved.epoch() - 1) * counter.perEpoch.get() + saved.nextBatch());
        assertTrue(saved.nextBatch() > 0, "a mid-epoch save");
        Training.resume(interrupted, ResumeChanges.NONE, run(interrupted), new TrainingListener() { }, () -> false);
        assertSameWeights(whole, interrupted);
    }

    /**
     * A cancel while the end-of-epoch validation runs saves the trained epoch (not just the one
     * before), and --resume validates it and goes on exactly as if nothing had happened.
     */
    @ParameterizedTest(name = "stateful={0}")
    @ValueSource(booleans = {false, true})
    void resumingAfterCancellationDuringValidationMatchesAnUninterruptedRun(boolean stateful) throws IOException {
        Path corpus = corpus();
        Path whole = temp.resolve("whole");
        Path interrupted = temp.resolve("interrupted");
        Training.start(config(corpus, whole, 3, stateful), false, new TrainingListener() { }, () -> false);
        AtomicInteger pollsAfterTraining = new AtomicInteger();
        BatchCounter counter = new BatchCounter();
        // Epoch 2's batches all run; the flag rises at the next poll, which validation makes.
        CancelledException stopped = assertThrows(CancelledException.class, () -> Training.start(
                config(corpus, interrupted, 3, stateful), false, counter,
                () -> counter.batches.get() == 2 * counter.perEpoch.get() && pollsAfterTraining.incrementAndGet() >= 1));
        assertTrue(stopped.getMessage().contains("while validating epoch 2"), stopped.getMessage());
        Progress saved = DirectoryCheckpointer.readResume(interrupted, ManifestFiles.read(interrupted)).progress();
        assertEquals(2, saved.epoch());
        assertEquals(counter.perEpoch.get(), saved.nextBatch(), "every batch of epoch 2 trained");
        assertEquals(2L * counter.perEpoch.get(), saved.step());
        assertEquals(1, saved.history().size(), "epoch 2 is not complete until validated");
        assertTrue(saved.epochSeconds() > 0, "the epoch's training time is kept");

        Training.Result resumed = Training.resume(interrupted, ResumeChanges.NONE, run(interrupted),
                new TrainingListener() { }, () -> false);
        assertSameWeights(whole, interrupted);
        List<EpochResult> expected = ManifestFiles.read(whole).progress().history();
        assertEquals(3, resumed.history().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(expected.get(i).validationLoss(), resumed.history().get(i).validationLoss(), "epoch " + (i + 1));
            assertEquals(expected.get(i).trainLoss(), resumed.history().get(i).trainLoss(), "epoch " + (i + 1));
        }
        assertEquals(saved.epochSeconds(), resumed.history().get(1).seconds(), 0.5,
                "the resumed epoch reports the training time saved before the interruption");
    }

    /** Counts the batches run and records the batches per epoch. */
    private static final class BatchCounter implements TrainingListener {
        final AtomicInteger batches = new AtomicInteger();
        final AtomicInteger perEpoch = new AtomicInteger();

        @Override
        public void onStart(TrainingPlan plan) {
            perEpoch.set(plan.batchesPerEpoch());
        }

        @Override
        public void onBatch(int epoch, int batch, int batchesInEpoch, double runningLoss, double tokensPerSecond) {
            batches.incrementAndGet();
        }
    }

    private static RunConfig run(Path directory) {
        return new RunConfig(directory.toString(), 0, 0, 0);
    }

    /**
     * Bit for bit: every tensor of the resume file (weights, optimizer moments and step count,
     * carried state) has the same bits, and the progress the same step. INDArray.equals would let
     * differences up to 1e-5 through.
     */
    private static void assertSameWeights(Path expectedDirectory, Path actualDirectory) {
        DirectoryCheckpointer.ResumeState expected = DirectoryCheckpointer.readResume(expectedDirectory,
                ManifestFiles.read(expectedDirectory));
        DirectoryCheckpointer.ResumeState actual = DirectoryCheckpointer.readResume(actualDirectory,
                ManifestFiles.read(actualDirectory));
        assertSameBits(expected.model().parameters().values(), actual.model().parameters().values(), "weight");
        assertSameBits(expected.optimizerState(), actual.optimizerState(), "optimizer state");
        assertSameBits(expected.recurrentState(), actual.recurrentState(), "carried state");
        assertEquals(expected.progress().step(), actual.progress().step());
        assertEquals(expected.progress().nextBatch(), actual.progress().nextBatch());
        assertEquals(Double.doubleToLongBits(expected.progress().learningRate()),
                Double.doubleToLongBits(actual.progress().learningRate()));
    }

    private static void assertSameBits(Map<String, INDArray> expected, Map<String, INDArray> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + " names");
        assertTrue(!expected.isEmpty() || what.equals("carried state"), "some " + what + " to compare");
        expected.forEach((name, value) -> {
            INDArray other = actual.get(name);
            assertArrayEquals(value.shape(), other.shape(), name);
            assertArrayEquals(bits(value), bits(other), what + " " + name + " differs in its bits after resuming");
        });
    }

    private static long[] bits(INDArray array) {
        double[] values = array.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Double.doubleToRawLongBits(values[i]);
        }
        return bits;
    }

    /** --save-every N saves after every Nth step within an epoch, each save recording that step and the next batch. */
    @Test
    void saveEverySavesMidEpoch() throws IOException {
        Path corpus = corpus();
        Path model = temp.resolve("save-every");
        AtomicInteger perEpoch = new AtomicInteger();
        List<long[]> saves = new java.util.ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void onStart(TrainingPlan plan) {
                perEpoch.set(plan.batchesPerEpoch());
            }

            @Override
            public void onCheckpoint(Path file) {
                Progress progress = DirectoryCheckpointer.readResume(model, ManifestFiles.read(model)).progress();
                saves.add(new long[] {progress.step(), progress.nextBatch()});
            }
        };
        TrainConfig config = TrainConfigBuilder.tiny(corpus, model).window(6).stride(3).hidden(12).embedding(8)
                .epochs(1).optimizer("adam").lr(0.01).seed(5).saveEvery(2).build();
        Training.start(config, false, recorder, () -> false);
        int n = perEpoch.get();
        assertTrue(n >= 5, "enough batches for mid-epoch saves: " + n);
        List<String> expected = new java.util.ArrayList<>();
        for (int step = 2; step < n; step += 2) {
            expected.add(step + "@" + step);
        }
        expected.add(n + "@0");
        assertEquals(expected, saves.stream().map(s -> s[0] + "@" + s[1]).toList(), "step@next batch of each save");
    }

    /** The baseline the resume tests rely on: two runs from the same seed agree in every bit. */
    @ParameterizedTest(name = "stateful={0}")
    @ValueSource(booleans = {false, true})
    void aRunRepeatsBitForBit(boolean stateful) throws IOException {
        Path corpus = corpus();
        Path first = temp.resolve("first");
        Path second = temp.resolve("second");
        Training.start(config(corpus, first, 2, stateful), false, new TrainingListener() { }, () -> false);
        Training.start(config(corpus, second, 2, stateful), false, new TrainingListener() { }, () -> false);
        assertSameWeights(first, second);
    }

    private Path corpus() throws IOException {
        StringBuilder text = new StringBuilder();
        String[] lines = {"the cat sat on the mat .", "a dog ran in the park .", "mary had a little lamb .",
                "the sun is warm today .", "we walked to the old mill ."};
        for (int i = 0; i < 40; i++) {
            text.append(lines[i % lines.length]).append('\n');
        }
        Path file = temp.resolve("corpus.txt");
        Files.writeString(file, text);
        return file;
    }

    private static TrainConfig config(Path corpus, Path output, int epochs, boolean stateful) {
        return TrainConfigBuilder.tiny(corpus, output).validationSplit(0.2).window(6).stride(stateful ? 6 : 3)
                .stateful(stateful).layers(2).hidden(12).embedding(8).dropout(0.2).epochs(epochs).optimizer("adam")
                .lr(0.01).lrDecay(0.5, 1).clip(1.0).seed(5).build();
    }
}
