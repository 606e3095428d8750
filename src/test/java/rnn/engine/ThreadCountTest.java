package rnn.engine;

import rnn.engine.kernel.EngineThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.loss.Loss;

/**
 * Runs repeat bit for bit at a given thread count, and one or two engine threads agree to float
 * rounding (OpenBLAS's threaded products may round differently; the softmax's bias sums are
 * grouped in fixed row blocks whatever the count).
 */
class ThreadCountTest {
    @Test
    void runsRepeatExactlyAndThreadCountsAgreeToRounding() {
        ModelConfig config = new ModelConfig(CellType.LSTM, 300, 32, 32, 2, 0.1, true);
        Map<Integer, Map<String, float[]>> gradients = new LinkedHashMap<>();
        Map<Integer, Double> losses = new LinkedHashMap<>();
        int before = EngineThreads.configured();
        try {
            for (int run : new int[] {1, 2, 22}) {
                int threads = run % 10;
                EngineThreads.set(threads);
                LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.1), 3, DataType.FLOAT);
                SplittableRandom random = new SplittableRandom(6);
                RecurrentState state = model.newState(8);
                double loss = 0;
                for (int round = 0; round < 2; round++) {
                    Batch batch = new Batch(8, 12, random.ints(96, 0, 300).toArray(), random.ints(96, 0, 300).toArray(),
                            Objective.ALL);
                    loss = model.computeGradients(batch, state, Loss.CROSS_ENTROPY, round);
                }
                losses.put(run, loss);
                Map<String, float[]> byName = new LinkedHashMap<>();
                for (Map.Entry<String, INDArray> g : model.parameters().gradients().entrySet()) {
                    byName.put(g.getKey(), g.getValue().ravel().toFloatVector());
                }
                gradients.put(run, byName);
            }
        } finally {
            EngineThreads.set(before);
        }
        assertEquals(Double.doubleToLongBits(losses.get(2)), Double.doubleToLongBits(losses.get(22)), "2 threads, twice");
        gradients.get(2).forEach((name, two) -> assertArrayEquals(two, gradients.get(22).get(name), 0f, name));
        assertEquals(losses.get(1), losses.get(2), 1e-6 * losses.get(1), "1 vs 2 threads");
        gradients.get(1).forEach((name, one) -> {
            float[] two = gradients.get(2).get(name);
            float scale = 1e-12f;
            for (float v : one) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertArrayEquals(one, two, 1e-4f * scale, name + ", 1 vs 2 threads");
        });
    }
}
