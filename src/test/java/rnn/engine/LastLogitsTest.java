package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link LanguageModel#lastLogits}: contexts of different lengths read side by side give each the
 * logits it gets alone, for every cell (the LSTMs hold unstarted rows at zero in their own step,
 * the others after it), in float and double, including the padded rows a batch is rounded up
 * with and buffers left over from an earlier batch of the same shape.
 */
class LastLogitsTest {
    private static final int VOCAB = 23;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            cases.add(Arguments.of(cell, DataType.FLOAT));
            cases.add(Arguments.of(cell, DataType.DOUBLE));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void eachRowIsWhatItsContextGivesAlone(CellType cell, DataType dtype) {
        ModelConfig config = new ModelConfig(cell, VOCAB, 6, 6, 2, 0, true);
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.8), 3, dtype);
        SplittableRandom random = new SplittableRandom(9);
        // Five contexts (rounded up to eight rows), the longest not first, one of a single token.
        int[][] first = contexts(random, 7, 1, 4, 7, 2);
        int[][] second = contexts(random, 3, 7, 6, 7, 1);  // same shape: reuses the first batch's buffers
        for (int[][] contexts : new int[][][] {first, second}) {
            INDArray batched = model.lastLogits(contexts).dup();
            assertArrayEquals(new long[] {contexts.length, VOCAB}, batched.shape());
            for (int b = 0; b < contexts.length; b++) {
                int[] ids = contexts[b];
                double[] alone = model.logits(new Batch(1, ids.length, ids, null, Objective.LAST), model.newState(1))
                        .getRow(0).toDoubleVector();
                double[] together = batched.getRow(b).toDoubleVector();
                double tolerance = dtype == DataType.FLOAT ? 1e-5 : 1e-12;
                for (int v = 0; v < VOCAB; v++) {
                    assertEquals(alone[v], together[v], tolerance * Math.max(1, Math.abs(alone[v])),
                            cell + " " + dtype + " context " + b + " (length " + ids.length + ") token " + v);
                }
            }
        }
    }

    /**
     * A model made for serving runs the same products untransposed, tiled into small ones: wide
     * enough here (8 rows x 200 x 800 per step, 5 rows x 200 x 2,000 for the decoder) that both
     * are tiled, with partial tiles in rows and columns.
     */
    @Test
    void aServingModelGivesEachContextWhatThePlainModelGivesAlone() {
        int vocabulary = 2_000;
        ModelConfig config = new ModelConfig(CellType.LSTM, vocabulary, 200, 200, 2, 0, true);
        LanguageModel plain = LanguageModel.initialize(config, Initialization.uniform(0.1), 5, DataType.FLOAT);
        LanguageModel serving = plain.forServing();
        SplittableRandom random = new SplittableRandom(2);
        int[][] contexts = new int[5][];
        for (int b = 0; b < contexts.length; b++) {
            contexts[b] = random.ints(3 + 4 * b, 0, vocabulary).toArray();
        }
        INDArray batched = serving.lastLogits(contexts).dup();
        for (int b = 0; b < contexts.length; b++) {
            int[] ids = contexts[b];
            double[] alone = plain.logits(new Batch(1, ids.length, ids, null, Objective.LAST), plain.newState(1))
                    .getRow(0).toDoubleVector();
            double[] together = batched.getRow(b).toDoubleVector();
            for (int v = 0; v < vocabulary; v++) {
                assertEquals(alone[v], together[v], 1e-5 * Math.max(1, Math.abs(alone[v])), "context " + b + " token " + v);
            }
        }
        assertThrows(IllegalStateException.class, () -> serving.computeGradients(
                new Batch(1, 2, new int[] {1, 2}, new int[] {2, 3}, Objective.ALL), null, rnn.engine.loss.Loss.CROSS_ENTROPY, 1),
                "transposed copies would go stale under training");
    }

    /** A pass from the zero state reuses buffers that a pass from a carried state filled: it still starts at zero. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aZeroStatePassAfterACarriedStateStartsFromZero(CellType cell, DataType dtype) {
        LanguageModel model = LanguageModel.initialize(new ModelConfig(cell, VOCAB, 6, 6, 2, 0, true),
                Initialization.uniform(0.8), 3, dtype);
        Batch batch = new Batch(1, 4, new int[] {3, 1, 4, 1}, null, Objective.LAST);
        double[] fresh = model.logits(batch, null).getRow(0).toDoubleVector();
        RecurrentState state = model.newState(1);
        model.logits(batch, state);
        model.logits(batch, state);  // the same buffers, now loaded with a non-zero state
        assertArrayEquals(fresh, model.logits(batch, null).getRow(0).toDoubleVector(), 0.0);
    }

    @Test
    void refusesAnEmptyContext() {
        LanguageModel model = LanguageModel.initialize(new ModelConfig(CellType.LSTM, VOCAB, 6, 6, 1, 0, true),
                Initialization.uniform(0.8), 3, DataType.FLOAT);
        assertThrows(IllegalArgumentException.class, () -> model.lastLogits(new int[][] {{1, 2}, {}}));
    }

    private static int[][] contexts(SplittableRandom random, int... lengths) {
        int[][] contexts = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            contexts[i] = random.ints(lengths[i], 0, VOCAB).toArray();
        }
        return contexts;
    }
}
