package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;


/**
 * The FLOAT engine (the one training runs) computes what the DOUBLE engine (the one the gradient
 * checks verify) computes, to float precision: same weights, two consecutive batches with carried
 * state, loss and every gradient compared. Catches a float-only fault such as a wrong buffer
 * offset in a fast path that the double-precision checks cannot see.
 */
class FloatDoubleAgreementTest {
    private static final int VOCAB = 60;
    private static final int BATCH = 5;
    private static final int STEPS = 7;

    /**
     * Every case the double-precision gradient check covers (cell, input kind, depth, objective,
     * loss, tying, dropout), here at a size where the float fast paths run.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rnn.engine.GradientCheckTest#cases")
    void floatMatchesDouble(GradientCheckTest.Case c) {
        int hidden = 16;
        ModelConfig config = new ModelConfig(c.cell(), VOCAB, c.oneHot() ? 0 : hidden, hidden, c.layers(), c.dropout(),
                c.tied());
        LanguageModel exact = LanguageModel.initialize(config, Initialization.uniform(0.3), 42, DataType.DOUBLE);
        Map<String, INDArray> asFloat = new LinkedHashMap<>();
        exact.parameters().values().forEach((name, value) -> asFloat.put(name, value.castTo(DataType.FLOAT)));
        LanguageModel fast = LanguageModel.fromValues(config, asFloat);

        SplittableRandom random = new SplittableRandom(9);
        RecurrentState exactState = exact.newState(BATCH);
        RecurrentState fastState = fast.newState(BATCH);
        for (int round = 0; round < 2; round++) {
            Batch batch = new Batch(BATCH, STEPS, random.ints(BATCH * STEPS, 0, VOCAB).toArray(),
                    random.ints(BATCH * STEPS, 0, VOCAB).toArray(), c.objective());
            double exactLoss = exact.computeGradients(batch, exactState, c.loss(), 1 + round);
            double fastLoss = fast.computeGradients(batch, fastState, c.loss(), 1 + round);
            assertEquals(exactLoss, fastLoss, 1e-5 * Math.abs(exactLoss) + 1e-7, c + ": loss, round " + round);
            for (String name : exact.parameters().values().keySet()) {
                double[] want = exact.parameters().gradient(name).ravel().toDoubleVector();
                double[] got = fast.parameters().gradient(name).castTo(DataType.DOUBLE).ravel().toDoubleVector();
                double scale = 1e-12;
                for (double w : want) {
                    scale = Math.max(scale, Math.abs(w));
                }
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4 * scale, c + ": " + name + "[" + i + "], round " + round);
                }
            }
            for (int k = 0; k < config.layers(); k++) {
                double[] want = exactState.hidden(k).ravel().toDoubleVector();
                double[] got = fastState.hidden(k).castTo(DataType.DOUBLE).ravel().toDoubleVector();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-5, c + ": carried h, layer " + k);
                }
            }
        }
    }
}
