package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * --init orthogonal is Keras' recurrent-layer default: each recurrent kernel orthogonal over all
 * its gates together (Keras' [H, gates*H] kernel has orthonormal rows, so our [gates*H, H]
 * transpose has orthonormal columns: W^T W = I), everything else as --init glorot, drawn from the
 * seed alone.
 */
class OrthogonalInitializationTest {
    private static final int HIDDEN = 6;

    private static Map<String, INDArray> weights(CellType cell, Initialization init, long seed) {
        ModelConfig config = new ModelConfig(cell, 13, 0, HIDDEN, 2, 0.0, false);
        return LanguageModel.initialize(config, init, seed, DataType.DOUBLE).parameters().values();
    }

    /** W^T W of a [rows, cols] matrix, in double. */
    private static double[][] gram(INDArray w) {
        int rows = (int) w.size(0);
        int cols = (int) w.size(1);
        double[] v = w.dup().data().asDouble();
        double[][] g = new double[cols][cols];
        for (int a = 0; a < cols; a++) {
            for (int b = 0; b < cols; b++) {
                double sum = 0;
                for (int r = 0; r < rows; r++) {
                    sum += v[r * cols + a] * v[r * cols + b];
                }
                g[a][b] = sum;
            }
        }
        return g;
    }

    @Test
    void recurrentKernelsHaveOrthonormalColumnsOverAllGates() {
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU, CellType.RNN}) {
            Map<String, INDArray> w = weights(cell, Initialization.orthogonal(), 3);
            for (int layer = 0; layer < 2; layer++) {
                INDArray hh = w.get(ParameterShapes.weightHh(layer));
                assertEquals(cell.gates() * HIDDEN, hh.size(0));
                double[][] g = gram(hh);
                for (int a = 0; a < HIDDEN; a++) {
                    for (int b = 0; b < HIDDEN; b++) {
                        assertEquals(a == b ? 1.0 : 0.0, g[a][b], 1e-12, cell + " layer " + layer + " (W^T W)[" + a + "][" + b + "]");
                    }
                }
            }
        }
    }

    @Test
    void noGateBlockIsOrthogonalOnItsOwnAsInKeras() {
        // Keras orthogonalises the whole [H, 4H] kernel, not each gate: a gate's [H, H] block has
        // columns of norm about 1/2, far from 1. A per-gate version would make these 1.
        INDArray hh = weights(CellType.LSTM, Initialization.orthogonal(), 3).get(ParameterShapes.weightHh(0));
        for (int gate = 0; gate < 4; gate++) {
            double[][] g = gram(hh.get(NDArrayIndex.interval(gate * HIDDEN, (gate + 1) * HIDDEN),
                    NDArrayIndex.all()));
            double trace = 0;
            for (int a = 0; a < HIDDEN; a++) {
                trace += g[a][a];
            }
            assertTrue(Math.abs(trace / HIDDEN - 1) > 0.2, "gate " + gate + " block mean column norm^2 " + trace / HIDDEN);
        }
    }

    @Test
    void everythingElseIsGlorotWithZeroBiases() {
        Map<String, INDArray> orthogonal = weights(CellType.LSTM, Initialization.orthogonal(), 3);
        for (Map.Entry<String, INDArray> entry : orthogonal.entrySet()) {
            INDArray value = entry.getValue();
            if (ParameterShapes.isRecurrentWeight(entry.getKey())) {
                continue;
            }
            double max = value.amaxNumber().doubleValue();
            if (value.rank() == 1) {
                assertEquals(0.0, max, 0.0, entry.getKey());
            } else {
                double limit = Math.sqrt(6.0 / (value.size(0) + value.size(1)));
                assertTrue(max <= limit && max > 0.5 * limit, entry.getKey() + " max " + max + " limit " + limit);
            }
        }
        // The input kernel of layer 0 is Glorot's [4H, V]: the same limit as Keras' [V, 4H].
        assertEquals(13, orthogonal.get(ParameterShapes.weightIh(0)).size(1));
    }

    @Test
    void theSeedAloneDecidesTheWeights() {
        Map<String, INDArray> a = weights(CellType.LSTM, Initialization.orthogonal(), 5);
        Map<String, INDArray> b = weights(CellType.LSTM, Initialization.orthogonal(), 5);
        Map<String, INDArray> c = weights(CellType.LSTM, Initialization.orthogonal(), 6);
        a.forEach((name, value) -> assertEquals(value, b.get(name), name));
        assertNotEquals(a.get(ParameterShapes.weightHh(0)), c.get(ParameterShapes.weightHh(0)), "another seed");
    }

    @Test
    void forgetBiasAppliesOnTop() {
        Map<String, INDArray> w = weights(CellType.LSTM, Initialization.orthogonal().withForgetBias(1), 3);
        double[] bias = w.get(ParameterShapes.biasIh(0)).dup().data().asDouble();
        for (int i = 0; i < bias.length; i++) {
            assertEquals(i >= HIDDEN && i < 2 * HIDDEN ? 1.0 : 0.0, bias[i], 0.0, "bias_ih_l0[" + i + "]");
        }
    }
}
