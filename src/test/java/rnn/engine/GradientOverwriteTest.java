package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.loss.Loss;

/**
 * computeGradients does not zero all gradients first: every gradient has one writer that
 * overwrites it, and only scatter-added tables are zeroed, in the rows the previous step wrote
 * (the rest of such a table is still zero). With every gradient poisoned with NaN beforehand
 * (a row-sparse one in its written rows), the result must equal a fresh model's, for every cell,
 * input kind, tying and loss.
 */
class GradientOverwriteTest {
    private static final int VOCAB = 23;
    private static final int BATCH = 3;
    private static final int STEPS = 4;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            cases.add(Arguments.of(cell, 8, false, Loss.CROSS_ENTROPY, Objective.ALL));
            cases.add(Arguments.of(cell, 8, false, Loss.MEAN_SQUARED_ERROR, Objective.LAST));
            cases.add(Arguments.of(cell, 0, false, Loss.CROSS_ENTROPY, Objective.LAST));
        }
        cases.add(Arguments.of(CellType.LSTM, 8, true, Loss.CROSS_ENTROPY, Objective.ALL));
        cases.add(Arguments.of(CellType.GRU, 8, true, Loss.KL_DIVERGENCE, Objective.ALL));
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void poisonedGradientsAreFullyOverwritten(CellType cell, int embedding, boolean tied, Loss loss,
                                              Objective objective) {
        ModelConfig config = new ModelConfig(cell, VOCAB, embedding, tied ? embedding : 7, 2, 0.0, tied);
        LanguageModel fresh = LanguageModel.initialize(config, Initialization.uniform(0.3), 11, DataType.DOUBLE);
        LanguageModel poisoned = LanguageModel.fromValues(config, fresh.parameters().values());
        SplittableRandom random = new SplittableRandom(4);
        Batch batch = new Batch(BATCH, STEPS, random.ints(BATCH * STEPS, 0, VOCAB).toArray(),
                random.ints(BATCH * STEPS, 0, VOCAB).toArray(), objective);
        poisoned.computeGradients(batch, null, loss, 1);
        poisoned.parameters().gradients().forEach((name, g) -> poison(poisoned.parameters().touchedRows(name), g));

        fresh.computeGradients(batch, null, loss, 1);
        poisoned.computeGradients(batch, null, loss, 1);
        for (String name : fresh.parameters().values().keySet()) {
            INDArray want = fresh.parameters().gradient(name);
            INDArray got = poisoned.parameters().gradient(name);
            assertArrayEquals(want.ravel().toDoubleVector(), got.ravel().toDoubleVector(), 0.0,
                    cell + " " + loss + (tied ? " tied" : "") + (embedding == 0 ? " one-hot" : "") + ": " + name);
        }
    }

    /**
     * A model whose batches use different words: after the second batch the embedding's gradient
     * is that of the second batch alone, zero in the rows only the first batch used.
     */
    @ParameterizedTest
    @MethodSource("embeddingCases")
    void rowSparseGradientForgetsThePreviousBatchesRows(CellType cell) {
        ModelConfig config = new ModelConfig(cell, VOCAB, 8, 7, 2, 0.0, false);
        LanguageModel fresh = LanguageModel.initialize(config, Initialization.uniform(0.3), 11, DataType.DOUBLE);
        LanguageModel reused = LanguageModel.fromValues(config, fresh.parameters().values());
        SplittableRandom random = new SplittableRandom(5);
        Batch low = new Batch(BATCH, STEPS, random.ints(BATCH * STEPS, 0, VOCAB / 2).toArray(),
                random.ints(BATCH * STEPS, 0, VOCAB).toArray(), Objective.ALL);
        Batch high = new Batch(BATCH, STEPS, random.ints(BATCH * STEPS, VOCAB / 2, VOCAB).toArray(),
                random.ints(BATCH * STEPS, 0, VOCAB).toArray(), Objective.ALL);
        reused.computeGradients(low, null, Loss.CROSS_ENTROPY, 1);
        reused.computeGradients(high, null, Loss.CROSS_ENTROPY, 1);
        fresh.computeGradients(high, null, Loss.CROSS_ENTROPY, 1);
        for (String name : fresh.parameters().values().keySet()) {
            assertArrayEquals(fresh.parameters().gradient(name).ravel().toDoubleVector(),
                    reused.parameters().gradient(name).ravel().toDoubleVector(), 0.0, cell + ": " + name);
        }
        int[] touched = reused.parameters().touchedRows(ParameterShapes.EMBEDDING).rows();
        assertArrayEquals(Arrays.stream(high.inputs()).distinct().sorted().toArray(), touched);
    }

    static Stream<CellType> embeddingCases() {
        return Stream.of(CellType.values());
    }

    /** NaN everywhere, or for a row-sparse gradient in the rows it may have written (the rest must stay zero). */
    private static void poison(TouchedRows rows, INDArray gradient) {
        if (rows == null) {
            gradient.assign(Double.NaN);
            return;
        }
        for (int row : rows.rows()) {
            gradient.getRow(row).assign(Double.NaN);
        }
    }
}
