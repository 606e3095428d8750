package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elman RNN (Keras SimpleRNN, PyTorch RNN) with tanh or ReLU:
 * <pre>
 *   h = tanh(W_ih x + b_ih + W_hh h_prev + b_hh)    da = dh * (1 - h^2)
 *   h = relu(W_ih x + b_ih + W_hh h_prev + b_hh)    da = dh * (h > 0)
 *   dh_prev += da W_hh
 * </pre>
 * Both derivatives come from the output h alone (ReLU's is 0 where h is 0).
 */
final class SimpleRnnCell extends RecurrentCell {
    private final boolean relu;

    SimpleRnnCell(int batch, int steps, int hidden, DataType dtype, boolean relu) {
        super(1, batch, steps, hidden, dtype);
        this.relu = relu;
    }

    @Override
    boolean foldsHiddenBias() {
        return true;
    }

    @Override
    void forward(INDArray weightHh, INDArray biasHh) {
        for (int t = 0; t < steps; t++) {
            Ops.gemm(outStep[t], weightHh, preStep[t], false, true, 1.0);
            if (relu) {
                Ops.relu(preStep[t], outStep[t + 1]);
            } else {
                Ops.tanh(preStep[t], outStep[t + 1]);
            }
            holdUnstarted(t);
        }
    }

    @Override
    void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones) {
        if (relu) {
            Ops.reluDerivative(outputs(), dPre);
        } else {
            Ops.tanhDerivative(outputs(), dPre);
        }
        for (int t = steps - 1; t >= 0; t--) {
            dPreStep[t].muli(dOutStep[t + 1]);
            Ops.gemm(dPreStep[t], weightHh, dOutStep[t], false, false, 1.0);
        }
        Ops.gemm(dPre, previousOutputs(), gradWeightHh, true, false, 0.0);
    }
}
