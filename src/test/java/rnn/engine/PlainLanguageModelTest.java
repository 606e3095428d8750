package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The plain-Java forward pass gives the float engine's next-token probabilities to 1e-6, for every
 * cell kind with embedding and one-hot input, a tied decoder, and the adaptive softmax: after
 * contexts of several lengths through two layers, and before any input.
 */
class PlainLanguageModelTest {
    private static final int VOCAB = 41;

    private enum Output { FULL, TIED, ADAPTIVE }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            for (Output output : Output.values()) {
                cases.add(Arguments.of(cell, false, output));
                if (output != Output.TIED) {
                    cases.add(Arguments.of(cell, true, output));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} one-hot {1} {2}")
    @MethodSource("cases")
    void probabilitiesMatchTheEngine(CellType cell, boolean oneHot, Output output) {
        AdaptiveOutput adaptive = output == Output.ADAPTIVE ? new AdaptiveOutput(List.of(12, 25), 2.0) : null;
        ModelConfig config = new ModelConfig(cell, VOCAB, oneHot ? 0 : 8, 8, 2, 0, output == Output.TIED, adaptive);
        // Weights large enough that the distributions are far from uniform, so that a wrong step shows
        // (ReLU's a little smaller: its unbounded states would grow past what float rounding keeps to 1e-6).
        double scale = cell == CellType.RNN_RELU ? 0.7 : 0.9;
        LanguageModel engine = LanguageModel.initialize(config, Initialization.uniform(scale), 7, DataType.FLOAT);
        Map<String, float[]> weights = new LinkedHashMap<>();
        engine.parameters().values().forEach((name, value) -> weights.put(name, value.dup('c').data().asFloat()));
        PlainLanguageModel plain = new PlainLanguageModel(config, weights);

        SplittableRandom random = new SplittableRandom(11);
        for (int length : new int[] {1, 2, 5, 13}) {
            int[] ids = random.ints(length, 0, VOCAB).toArray();
            INDArray logits = engine.lastLogits(new int[][] {ids});
            double[] expected = softmax(logits.getRow(0).toDoubleVector());
            double[] actual = softmax(plain.lastLogits(ids));
            assertClose(expected, actual, config + " after " + length + " tokens");
            double largest = 0;
            for (double p : expected) {
                largest = Math.max(largest, p);
            }
            assertTrue(largest > 2.0 / VOCAB, "a peaked distribution, not a near-uniform one: " + largest);
        }
        assertClose(softmax(engine.startLogits()), softmax(plain.lastLogits(new int[0])), config + " before any input");
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int v = 0; v < expected.length; v++) {
            assertEquals(expected[v], actual[v], 1e-6, what + ", token " + v);
        }
    }

    /** Logits (or log-probabilities) to probabilities. */
    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
