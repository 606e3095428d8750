package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import rnn.engine.loss.Loss;

/**
 * End to end: a 2-layer model in FLOAT memorizes a short text to near-zero loss with a plain Adam
 * loop over {@code parameters().values()/gradients()}. The text has tokens with several different
 * successors, so a model that ignores its recurrent state (a bigram model) cannot get there: its
 * best mean loss on this text is 8 ln 4 / 56 = 0.198. (It does not isolate back-propagation through
 * time: with the recurrent gradient cut, the state dynamics alone still get there; the gradient
 * check covers that.)
 */
class OverfitTest {
    private static final int VOCAB = 20;
    private static final int SEGMENTS = 4;
    private static final int MAX_STEPS = 400;
    private static final double TARGET_LOSS = 0.05;

    /** The text as one sequence of inputs and next-token targets. */
    private static int[] inputs;
    private static int[] targets;
    private static int steps;

    @BeforeAll
    static void text() {
        // Two rounds of four segments "c_i P F_i", then c_0: P = 0 1 2 is shared, the fillers
        // F_i = 3+3i, 4+3i, 5+3i and markers c_i = 15+i are not. Every next token is fixed by the
        // current one except after P, where it depends on the marker four tokens back.
        int phrase = 3;
        List<Integer> text = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < SEGMENTS; i++) {
                text.add(phrase + SEGMENTS * phrase + i);
                for (int j = 0; j < phrase; j++) {
                    text.add(j);
                }
                for (int j = 0; j < phrase; j++) {
                    text.add(phrase + phrase * i + j);
                }
            }
        }
        text.add(phrase + SEGMENTS * phrase);
        steps = text.size() - 1;
        inputs = new int[steps];
        targets = new int[steps];
        for (int t = 0; t < steps; t++) {
            inputs[t] = text.get(t);
            targets[t] = text.get(t + 1);
        }
        assertTrue(text.stream().distinct().count() == VOCAB - 1, "19 of the 20 ids used: " + text);
        double floor = bigramLoss();
        assertTrue(floor > 3 * TARGET_LOSS, "a model without memory could reach " + floor);
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU"})
    void twoLayerModelMemorizesText(CellType cell) {
        ModelConfig config = new ModelConfig(cell, VOCAB, 16, 32, 2, 0, false);
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.1), 3, DataType.FLOAT);
        Batch batch = new Batch(1, steps, inputs, targets, Objective.ALL);
        Adam adam = new Adam(model.parameters(), 0.01);

        double first = Double.NaN;
        double loss = Double.NaN;
        int step = 0;
        long start = System.nanoTime();
        while (step < MAX_STEPS) {
            // Full-sequence batches from a zero state: the gradient spans the whole text.
            loss = model.computeGradients(batch, null, Loss.CROSS_ENTROPY, 0);
            if (step == 0) {
                first = loss;
            }
            assertTrue(Double.isFinite(loss), cell + ": loss " + loss + " at step " + step);
            step++;
            if (loss < TARGET_LOSS) {
                break;
            }
            double clipScale = model.parameters().clipScale(5.0);
            model.parameters().gradients().values().forEach(g -> g.muli(clipScale));
            adam.step();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double evaluated = model.loss(batch, null, Loss.CROSS_ENTROPY) / batch.predictions();
        String summary = String.format("%s: mean cross-entropy %.4f -> %.4f (forward-only %.4f) after %d steps, %.1f s",
                cell, first, loss, evaluated, step, seconds);
        assertTrue(first > 2.5, summary + ": should start near ln 20 = 3.0");
        assertTrue(evaluated < TARGET_LOSS, summary);
    }

    /** The least mean cross-entropy a model that sees only the current token can reach on the text. */
    private static double bigramLoss() {
        Map<Integer, Map<Integer, Integer>> counts = new HashMap<>();
        for (int t = 0; t < steps; t++) {
            counts.computeIfAbsent(inputs[t], k -> new HashMap<>()).merge(targets[t], 1, Integer::sum);
        }
        double sum = 0;
        for (int t = 0; t < steps; t++) {
            Map<Integer, Integer> next = counts.get(inputs[t]);
            int total = next.values().stream().mapToInt(Integer::intValue).sum();
            sum -= Math.log(next.get(targets[t]) / (double) total);
        }
        return sum / steps;
    }

    /** Adam (Kingma and Ba) with bias correction, over the model's live parameter arrays. */
    static final class Adam {
        private final Parameters parameters;
        private final double rate;
        private final Map<String, INDArray> first = new LinkedHashMap<>();
        private final Map<String, INDArray> second = new LinkedHashMap<>();
        private int t;

        Adam(Parameters parameters, double rate) {
            this.parameters = parameters;
            this.rate = rate;
            parameters.values().forEach((name, value) -> {
                first.put(name, Nd4j.zerosLike(value));
                second.put(name, Nd4j.zerosLike(value));
            });
        }

        void step() {
            t++;
            double beta1 = 0.9;
            double beta2 = 0.999;
            double correctedRate = rate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
            parameters.values().forEach((name, value) -> {
                INDArray g = parameters.gradient(name);
                INDArray m = first.get(name).muli(beta1).addi(g.mul(1 - beta1));
                INDArray v = second.get(name).muli(beta2).addi(g.mul(g).muli(1 - beta2));
                value.subi(m.mul(correctedRate).divi(Transforms.sqrt(v, true).addi(1e-8)));
            });
        }
    }
}
