package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

import rnn.engine.loss.Loss;

/** A model with layer 0's input table computes what the model without it does, and cannot train. */
class InputTableTest {
    private static final int VOCAB = 11;

    @ParameterizedTest
    @EnumSource(CellType.class)
    void tableLookupsGiveTheProductsLogitsAndLogProbabilities(CellType cell) {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            ModelConfig config = new ModelConfig(cell, VOCAB, 6, 5, 2, 0.3, false);
            LanguageModel plain = LanguageModel.initialize(config, Initialization.uniform(0.5), 3, type);
            LanguageModel tabled = plain.withInputTable();
            assertEquals((long) VOCAB * cell.gates() * 5 * (type == DataType.FLOAT ? 4 : 8), plain.inputTableBytes());
            SplittableRandom random = new SplittableRandom(7);
            int[] ids = random.ints(4 * 3, 0, VOCAB).toArray();
            Batch batch = new Batch(4, 3, ids, ids, Objective.ALL);
            RecurrentState plainState = plain.newState(4);
            RecurrentState tabledState = tabled.newState(4);
            double tolerance = type == DataType.FLOAT ? 1e-5 : 1e-12;
            for (int round = 0; round < 2; round++) {  // the second round from the carried states
                double[] want = plain.targetLogProbabilities(batch, plainState);
                double[] got = tabled.targetLogProbabilities(batch, tabledState);
                assertArrayEquals(want, got, tolerance, cell + " " + type + ", round " + round);
            }
            assertArrayEquals(plain.logits(batch, null).ravel().toDoubleVector(),
                    tabled.logits(batch, null).ravel().toDoubleVector(), tolerance, cell + " " + type + ": logits");
            assertThrows(IllegalStateException.class,
                    () -> tabled.computeGradients(batch, null, Loss.CROSS_ENTROPY, 0));
        }
    }
}
