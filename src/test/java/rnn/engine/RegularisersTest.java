package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.loss.Loss;

/**
 * AWD-LSTM's regularisers: masks only in training passes, locked masks shared over time, whole
 * embedding rows dropped, DropConnect on W_hh. (Their gradients: {@link GradientCheckTest}.)
 */
class RegularisersTest {
    private static final int VOCAB = 12;
    private static final int HIDDEN = 8;
    private static final int BATCH = 3;
    private static final int STEPS = 5;

    private static ModelConfig plain() {
        return new ModelConfig(CellType.LSTM, VOCAB, HIDDEN, HIDDEN, 2, 0.4, true);
    }

    private static Batch batch() {
        SplittableRandom random = new SplittableRandom(3);
        return new Batch(BATCH, STEPS, random.ints(BATCH * STEPS, 0, VOCAB).toArray(),
                random.ints(BATCH * STEPS, 0, VOCAB).toArray(), Objective.ALL);
    }

    @Test
    void evaluationAppliesNoMask() {
        LanguageModel regularised = LanguageModel.initialize(plain().withRegularizers(true, 0.5, 0.5),
                Initialization.uniform(0.3), 5, DataType.FLOAT);
        LanguageModel same = LanguageModel.fromValues(new ModelConfig(CellType.LSTM, VOCAB, HIDDEN, HIDDEN, 2, 0, true),
                regularised.parameters().values());
        Batch batch = batch();
        double[] expected = same.logits(batch, null).dup().data().asDouble();
        assertArrayEquals(expected, regularised.logits(batch, null).dup().data().asDouble());
        // After a training pass too: its masks do not linger in the workspace.
        double training = regularised.computeGradients(batch, null, Loss.CROSS_ENTROPY, 11);
        assertArrayEquals(expected, regularised.logits(batch, null).dup().data().asDouble());
        assertEquals(same.loss(batch, null, Loss.CROSS_ENTROPY), regularised.loss(batch, null, Loss.CROSS_ENTROPY));
        assertNotEquals(same.loss(batch, null, Loss.CROSS_ENTROPY) / batch.predictions(), training);
    }

    @Test
    void sameSeedSameMasksOtherSeedOthers() {
        LanguageModel model = LanguageModel.initialize(plain().withRegularizers(true, 0.3, 0.3),
                Initialization.uniform(0.3), 5, DataType.FLOAT);
        Batch batch = batch();
        double first = model.computeGradients(batch, null, Loss.CROSS_ENTROPY, 11);
        assertEquals(first, model.computeGradients(batch, null, Loss.CROSS_ENTROPY, 11));
        assertNotEquals(first, model.computeGradients(batch, null, Loss.CROSS_ENTROPY, 12));
    }

    @Test
    void lockedMaskRepeatsOneStepsMaskAtEveryStep() {
        int block = BATCH * HIDDEN;
        double[] locked = new double[block * STEPS];
        DropoutMasks.fill(locked, locked.length, block, 0.5, new SplittableRandom(1));
        double[] standard = new double[block * STEPS];
        DropoutMasks.fill(standard, standard.length, standard.length, 0.5, new SplittableRandom(1));
        double[] firstStep = Arrays.copyOf(locked, block);
        for (int t = 1; t < STEPS; t++) {
            assertArrayEquals(firstStep, Arrays.copyOfRange(locked, t * block, (t + 1) * block), "step " + t);
        }
        // The same draws, in the same order: the first step of both masks agrees, later ones do not.
        assertArrayEquals(firstStep, Arrays.copyOf(standard, block));
        assertTrue(!Arrays.equals(firstStep, Arrays.copyOfRange(standard, block, 2 * block)));
        long zeros = Arrays.stream(locked).filter(v -> v == 0).count();
        assertTrue(zeros > 0 && zeros < locked.length);
        assertTrue(Arrays.stream(locked).allMatch(v -> v == 0 || v == 2.0));
    }

    /** DropConnect: the dropped entries of W_hh get exactly no gradient; without wdrop none is exactly 0. */
    @Test
    void weightDropZeroesTheGradientOfDroppedWeights() {
        assertTrue(zeroEntries(0.5, ParameterShapes.weightHh(1)) > 0);
        assertEquals(0, zeroEntries(0, ParameterShapes.weightHh(1)));
    }

    /** Embedding dropout drops whole rows: an id of the batch can get an all-zero input gradient. */
    @Test
    void embeddingDropoutDropsWholeRows() {
        ModelConfig untied = new ModelConfig(CellType.LSTM, VOCAB, HIDDEN, HIDDEN, 1, 0, false);
        assertTrue(zeroRowsOfBatchIds(untied.withRegularizers(false, 0.5, 0)) > 0);
        assertEquals(0, zeroRowsOfBatchIds(untied));
    }

    private static long zeroEntries(double wdrop, String tensor) {
        LanguageModel model = LanguageModel.initialize(plain().withRegularizers(false, 0, wdrop),
                Initialization.uniform(0.3), 5, DataType.FLOAT);
        model.computeGradients(batch(), null, Loss.CROSS_ENTROPY, 11);
        return Arrays.stream(model.parameters().gradient(tensor).data().asDouble()).filter(v -> v == 0).count();
    }

    private static int zeroRowsOfBatchIds(ModelConfig config) {
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.3), 5, DataType.FLOAT);
        Batch batch = batch();
        model.computeGradients(batch, null, Loss.CROSS_ENTROPY, 11);
        INDArray gradient = model.parameters().gradient(ParameterShapes.EMBEDDING);
        return (int) Arrays.stream(batch.inputs()).distinct()
                .filter(id -> gradient.getRow(id).norm2Number().doubleValue() == 0).count();
    }
}
