package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * --forget-bias moves exactly the forget gate's slice of each LSTM layer's input bias: rows
 * [H, 2H) in PyTorch's gate order i, f, g, o. Every other value, of every tensor, is as without it.
 */
class ForgetBiasTest {
    @Test
    void onlyTheForgetGateSliceOfEachLayersInputBiasMoves() {
        int hidden = 5;
        ModelConfig config = new ModelConfig(CellType.LSTM, 11, 4, hidden, 2, 0.0, false);
        Map<String, INDArray> plain = LanguageModel.initialize(config, Initialization.uniform(0.1), 7, DataType.FLOAT)
                .parameters().values();
        Map<String, INDArray> biased = LanguageModel.initialize(config, Initialization.uniform(0.1).withForgetBias(2.5), 7,
                DataType.FLOAT).parameters().values();
        for (Map.Entry<String, INDArray> entry : plain.entrySet()) {
            float[] before = entry.getValue().dup().data().asFloat();
            float[] after = biased.get(entry.getKey()).dup().data().asFloat();
            boolean inputBias = entry.getKey().equals(ParameterShapes.biasIh(0)) || entry.getKey().equals(ParameterShapes.biasIh(1));
            for (int i = 0; i < before.length; i++) {
                boolean forgetGate = inputBias && i >= hidden && i < 2 * hidden;
                assertEquals(forgetGate ? before[i] + 2.5f : before[i], after[i], 0.0f, entry.getKey() + "[" + i + "]");
            }
        }
    }

    @Test
    void otherCellsHaveNoForgetGate() {
        ModelConfig config = new ModelConfig(CellType.GRU, 11, 4, 5, 1, 0.0, false);
        Map<String, INDArray> plain = LanguageModel.initialize(config, Initialization.uniform(0.1), 7, DataType.FLOAT)
                .parameters().values();
        Map<String, INDArray> biased = LanguageModel.initialize(config, Initialization.uniform(0.1).withForgetBias(2.5), 7,
                DataType.FLOAT).parameters().values();
        plain.forEach((name, value) -> assertEquals(value, biased.get(name), name));
    }
}
