package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.loss.Loss;
import rnn.engine.optim.Adam;
import rnn.engine.optim.Optimizer;
import rnn.engine.optim.RmsProp;
import rnn.engine.optim.Sgd;

/**
 * An untied embedding's gradient is kept row-sparse: its norm and plain SGD's update read only
 * the rows the batch wrote, and must equal what the same gradients give as dense arrays; momentum,
 * RMSprop and Adam still update every row.
 */
class RowSparseGradientTest {
    private static final int VOCAB = 40;
    private static final int BATCH = 3;
    private static final int STEPS = 4;

    @Test
    void onlyAnUntiedEmbeddingIsRowSparse() {
        assertNotNull(model(false, DataType.DOUBLE).parameters().touchedRows(ParameterShapes.EMBEDDING));
        assertNull(model(true, DataType.DOUBLE).parameters().touchedRows(ParameterShapes.EMBEDDING));
        assertNull(model(false, DataType.DOUBLE).parameters().touchedRows(ParameterShapes.DECODER_WEIGHT));
    }

    @Test
    void normOverTouchedRowsEqualsTheDenseNorm() {
        for (DataType dtype : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            LanguageModel model = model(false, dtype);
            model.computeGradients(batch(0, VOCAB / 4, 1), null, Loss.CROSS_ENTROPY, 1);
            double dense = 0;
            for (INDArray g : model.parameters().gradients().values()) {
                for (double x : g.ravel().toDoubleVector()) {
                    dense += x * x;
                }
            }
            assertEquals(Math.sqrt(dense), model.parameters().gradientNorm(), 1e-6 * Math.sqrt(dense), dtype.toString());
            assertTrue(model.parameters().touchedRows(ParameterShapes.EMBEDDING).count() <= VOCAB / 4);
        }
    }

    @Test
    void plainSgdMovesOnlyTouchedRowsAndEqualsTheDenseUpdate() {
        Map<String, INDArray> after = twoSteps(() -> new Sgd(), true);
        Map<String, INDArray> dense = twoSteps(() -> new Sgd(), false);
        assertSame(dense, after, 1e-15);
        // Rows no batch used keep their initial values exactly.
        LanguageModel initial = model(false, DataType.DOUBLE);
        INDArray before = initial.parameters().value(ParameterShapes.EMBEDDING);
        INDArray moved = after.get(ParameterShapes.EMBEDDING);
        for (int row = VOCAB / 2; row < VOCAB; row++) {
            assertArrayEquals(before.getRow(row).toDoubleVector(), moved.getRow(row).toDoubleVector(), 0.0, "row " + row);
        }
    }

    @Test
    void statefulRulesStillUpdateEveryRow() {
        for (Supplier<Optimizer> rule : java.util.List.<Supplier<Optimizer>>of(() -> new Sgd(0.9), RmsProp::new, Adam::new)) {
            assertSame(twoSteps(rule, false), twoSteps(rule, true), 1e-15);
        }
    }

    /**
     * Two SGD steps on batches with disjoint words (rows below VOCAB/4, then VOCAB/4 to VOCAB/2),
     * clipped, on a model whose embedding gradient is row-sparse, or on the same gradients copied
     * into dense parameters.
     */
    private static Map<String, INDArray> twoSteps(Supplier<Optimizer> rule, boolean rowSparse) {
        LanguageModel model = model(false, DataType.DOUBLE);
        Parameters dense = new Parameters(model.parameters().values(), Set.of());
        Parameters stepped = rowSparse ? model.parameters() : dense;
        Optimizer optimizer = rule.get();
        Batch[] batches = {batch(0, VOCAB / 4, 2), batch(VOCAB / 4, VOCAB / 2, 3)};
        for (Batch batch : batches) {
            model.computeGradients(batch, null, Loss.CROSS_ENTROPY, 1);
            model.parameters().gradients().forEach((name, g) -> dense.gradient(name).assign(g));
            optimizer.step(stepped, 0.5, stepped.clipScale(0.1));
        }
        return stepped.values();
    }

    private static void assertSame(Map<String, INDArray> want, Map<String, INDArray> got, double tolerance) {
        want.forEach((name, value) -> assertArrayEquals(value.ravel().toDoubleVector(),
                got.get(name).ravel().toDoubleVector(), tolerance, name));
    }

    private static LanguageModel model(boolean tied, DataType dtype) {
        ModelConfig config = new ModelConfig(CellType.LSTM, VOCAB, 6, 6, 1, 0.0, tied);
        return LanguageModel.initialize(config, Initialization.uniform(0.3), 7, dtype);
    }

    private static Batch batch(int fromWord, int toWord, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new Batch(BATCH, STEPS, random.ints(BATCH * STEPS, fromWord, toWord).toArray(),
                random.ints(BATCH * STEPS, 0, VOCAB).toArray(), Objective.ALL);
    }
}
