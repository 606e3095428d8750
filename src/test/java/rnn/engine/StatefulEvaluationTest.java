package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import rnn.engine.loss.Loss;

/**
 * Carried state is exact: the log-likelihood of three long streams computed in one forward pass
 * equals the sum over chunks of 7 steps (the last one shorter) with the {@link RecurrentState}
 * carried from chunk to chunk, and both end in the same state. Resetting the state between
 * chunks must change the answer, so the comparison cannot pass by the state being ignored.
 */
class StatefulEvaluationTest {
    private static final int VOCAB = 11;
    private static final int STREAMS = 3;
    private static final int STEPS = 60;
    private static final int CHUNK = 7;

    record Case(CellType cell, boolean oneHot, int layers) {
        @Override
        public String toString() {
            return cell + (oneHot ? " one-hot" : " embedding") + " x" + layers;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            cases.add(new Case(cell, false, 2));
            cases.add(new Case(cell, true, 1));
        }
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void chunkedLossWithCarriedStateEqualsOnePass(Case c) {
        ModelConfig config = new ModelConfig(c.cell(), VOCAB, c.oneHot() ? 0 : 5, 6, c.layers(), 0, false);
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.6), 21, DataType.DOUBLE);
        SplittableRandom random = new SplittableRandom(8);
        // Each stream holds STEPS + 1 tokens: STEPS inputs and STEPS next-token targets.
        int[][] streams = new int[STREAMS][];
        for (int b = 0; b < STREAMS; b++) {
            streams[b] = random.ints(STEPS + 1, 0, VOCAB).toArray();
        }
        RecurrentState initial = model.newState(STREAMS);
        GradientCheckTest.randomize(initial, config, random);

        RecurrentState whole = initial.copy();
        double onePass = model.loss(window(streams, 0, STEPS), whole, Loss.CROSS_ENTROPY);

        RecurrentState carried = initial.copy();
        double chunked = 0;
        double reset = 0;
        int chunks = 0;
        for (int from = 0; from < STEPS; from += CHUNK) {
            Batch chunk = window(streams, from, Math.min(CHUNK, STEPS - from));
            chunked += model.loss(chunk, carried, Loss.CROSS_ENTROPY);
            reset += model.loss(chunk, from == 0 ? initial.copy() : model.newState(STREAMS), Loss.CROSS_ENTROPY);
            chunks++;
        }
        assertEquals(9, chunks, "8 chunks of 7 and one of 4");
        assertTrue(onePass > STREAMS * STEPS * 0.5, c + ": a summed loss, not a mean: " + onePass);
        assertEquals(onePass, chunked, 1e-9, c + ": summed negative log-likelihood, one pass vs chunks");
        assertTrue(Math.abs(onePass - reset) > 1e-3,
                c + ": resetting the state between chunks should change the loss: " + onePass + " vs " + reset);
        for (int k = 0; k < c.layers(); k++) {
            assertArrayEquals(whole.hidden(k).data().asDouble(), carried.hidden(k).data().asDouble(), 1e-12,
                    c + ": final h of layer " + k);
            if (c.cell() == CellType.LSTM) {
                assertArrayEquals(whole.cell(k).data().asDouble(), carried.cell(k).data().asDouble(), 1e-12,
                        c + ": final c of layer " + k);
            }
        }
    }

    /** Steps [from, from + steps) of every stream as a time-major batch predicting the next token. */
    private static Batch window(int[][] streams, int from, int steps) {
        int[] inputs = new int[steps * STREAMS];
        int[] targets = new int[steps * STREAMS];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < STREAMS; b++) {
                inputs[t * STREAMS + b] = streams[b][from + t];
                targets[t * STREAMS + b] = streams[b][from + t + 1];
            }
        }
        return new Batch(STREAMS, steps, inputs, targets, Objective.ALL);
    }
}
