package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.loss.Loss;

/**
 * Reproducibility in FLOAT: a seed gives bit-identical initial weights and, for the same batch and
 * dropout seed, bit-identical gradients and loss; another seed gives different weights, and
 * another dropout seed different gradients.
 */
class DeterminismTest {
    private static final int VOCAB = 50;
    private static final int BATCH = 4;
    private static final int STEPS = 6;

    @ParameterizedTest
    @EnumSource(CellType.class)
    void sameSeedSameWeightsAndGradients(CellType cell) {
        ModelConfig config = new ModelConfig(cell, VOCAB, 8, 16, 2, 0.2, false);
        Initialization init = Initialization.uniform(0.1).withForgetBias(cell == CellType.LSTM ? 1 : 0);
        LanguageModel a = LanguageModel.initialize(config, init, 1234, DataType.FLOAT);
        LanguageModel b = LanguageModel.initialize(config, init, 1234, DataType.FLOAT);
        LanguageModel other = LanguageModel.initialize(config, init, 1235, DataType.FLOAT);
        assertEquals(DataType.FLOAT, a.dataType());

        for (String name : a.parameters().values().keySet()) {
            float[] va = floats(a.parameters().value(name));
            assertArrayEquals(va, floats(b.parameters().value(name)), cell + ": " + name + " with the same seed");
            assertFalse(Arrays.equals(va, floats(other.parameters().value(name))),
                    cell + ": " + name + " is the same with another seed");
        }

        SplittableRandom random = new SplittableRandom(3);
        Batch batch = new Batch(BATCH, STEPS, random.ints(BATCH * STEPS, 0, VOCAB).toArray(),
                random.ints(BATCH * STEPS, 0, VOCAB).toArray(), Objective.ALL);
        RecurrentState stateA = a.newState(BATCH);
        RecurrentState stateB = b.newState(BATCH);
        // Two consecutive batches, so the second starts from a carried (non-zero) state.
        for (int round = 0; round < 2; round++) {
            double lossA = a.computeGradients(batch, stateA, Loss.CROSS_ENTROPY, 77 + round);
            double lossB = b.computeGradients(batch, stateB, Loss.CROSS_ENTROPY, 77 + round);
            assertEquals(Double.doubleToLongBits(lossA), Double.doubleToLongBits(lossB), cell + ": loss, round " + round);
            assertSameGradients(a.parameters().gradients(), b.parameters().gradients(), cell + ", round " + round);
            for (int k = 0; k < config.layers(); k++) {
                assertArrayEquals(floats(stateA.hidden(k)), floats(stateB.hidden(k)), cell + ": carried h, layer " + k);
            }
        }

        // The same model, state and batch with another dropout seed: other masks, other gradients.
        b.computeGradients(batch, b.newState(BATCH), Loss.CROSS_ENTROPY, 77);
        float[] seed77 = floats(b.parameters().gradient(ParameterShapes.DECODER_WEIGHT));
        b.computeGradients(batch, b.newState(BATCH), Loss.CROSS_ENTROPY, 78);
        assertFalse(Arrays.equals(seed77, floats(b.parameters().gradient(ParameterShapes.DECODER_WEIGHT))),
                cell + ": the dropout seed is ignored");
    }

    private static void assertSameGradients(Map<String, INDArray> x, Map<String, INDArray> y, String message) {
        assertEquals(x.keySet(), y.keySet());
        for (String name : x.keySet()) {
            float[] gx = floats(x.get(name));
            assertFalse(allZero(gx), message + ": " + name + " has no gradient");
            // assertArrayEquals on float[] compares floatToIntBits: bit-identical, NaN included.
            assertArrayEquals(gx, floats(y.get(name)), message + ": gradient of " + name);
        }
    }

    private static boolean allZero(float[] values) {
        for (float v : values) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    private static float[] floats(INDArray array) {
        assertEquals(DataType.FLOAT, array.dataType());
        return array.dup().data().asFloat();
    }
}
