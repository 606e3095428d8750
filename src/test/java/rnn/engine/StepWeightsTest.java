package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.loss.Loss;

/**
 * A float LSTM made {@link LanguageModel#withStepWeights()} runs its per-step products of up to
 * {@link FloatLstmCell#MAX_SMALL_ROWS} rows in plain Java: it scores what the plain float model
 * and the double model score, with the state carried in and out and from the zero state, at one
 * row, a few, and one more than the Java kernel takes (OpenBLAS again), and it cannot train.
 */
class StepWeightsTest {
    private static final int VOCAB = 50;
    private static final int STEPS = 6;

    @Test
    void scoresWhatThePlainFloatModelAndTheDoubleModelScore() {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB, 10, 10, 2, 0, true);
        LanguageModel exact = LanguageModel.initialize(config, Initialization.uniform(0.5), 7, DataType.DOUBLE);
        Map<String, INDArray> asFloat = new LinkedHashMap<>();
        exact.parameters().values().forEach((name, value) -> asFloat.put(name, value.castTo(DataType.FLOAT)));
        LanguageModel plain = LanguageModel.fromValues(config, asFloat);
        LanguageModel stepped = plain.withStepWeights();
        SplittableRandom random = new SplittableRandom(11);
        for (int rows : new int[] {1, 3, FloatLstmCell.MAX_SMALL_ROWS + 1}) {
            RecurrentState exactState = exact.newState(rows);
            RecurrentState plainState = plain.newState(rows);
            RecurrentState steppedState = stepped.newState(rows);
            for (int round = 0; round < 3; round++) {  // rounds 1 and 2 start from the carried states
                int[] ids = random.ints(rows * STEPS, 0, VOCAB).toArray();
                Batch batch = new Batch(rows, STEPS, ids, random.ints(rows * STEPS, 0, VOCAB).toArray(), Objective.ALL);
                double[] want = exact.targetLogProbabilities(batch, exactState);
                double[] same = plain.targetLogProbabilities(batch, plainState);
                double[] got = stepped.targetLogProbabilities(batch, steppedState);
                assertArrayEquals(same, got, 1e-5, rows + " rows, round " + round + ": against the plain float model");
                assertArrayEquals(want, got, 1e-5, rows + " rows, round " + round + ": against the double model");
            }
            // From the zero state again, in buffers the carried state ran through last.
            int[] ids = random.ints(rows * STEPS, 0, VOCAB).toArray();
            Batch fresh = new Batch(rows, STEPS, ids, ids, Objective.ALL);
            assertArrayEquals(plain.targetLogProbabilities(fresh, null), stepped.targetLogProbabilities(fresh, null),
                    1e-5, rows + " rows: from the zero state after a carried one");
            for (int k = 0; k < config.layers(); k++) {
                double[] want = exactState.hidden(k).ravel().toDoubleVector();
                double[] got = steppedState.hidden(k).castTo(DataType.DOUBLE).ravel().toDoubleVector();
                assertArrayEquals(want, got, 1e-5, rows + " rows: carried h, layer " + k);
                want = exactState.cell(k).ravel().toDoubleVector();
                got = steppedState.cell(k).castTo(DataType.DOUBLE).ravel().toDoubleVector();
                assertArrayEquals(want, got, 1e-5, rows + " rows: carried c, layer " + k);
            }
        }
    }

    @Test
    void isRepeatableBitForBitAndCannotTrain() {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB, 12, 10, 2, 0, false);
        LanguageModel stepped = LanguageModel.initialize(config, Initialization.uniform(0.5), 3, DataType.FLOAT)
                .withStepWeights();
        int[] ids = new SplittableRandom(2).ints(2 * STEPS, 0, VOCAB).toArray();
        Batch batch = new Batch(2, STEPS, ids, ids, Objective.ALL);
        double[] first = stepped.targetLogProbabilities(batch, null);
        assertArrayEquals(first, stepped.sharingParameters().targetLogProbabilities(batch, null), 0.0);
        assertArrayEquals(first, stepped.withInputTable().withStepWeights().targetLogProbabilities(batch, null), 1e-6,
                "the input table keeps the step weights");
        assertThrows(IllegalStateException.class, () -> stepped.computeGradients(batch, null, Loss.CROSS_ENTROPY, 1),
                "the heap copies of W_hh would go stale under training");
        assertEquals(first.length, 2 * STEPS);
    }
}
