package rnn.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Elman RNN (Keras SimpleRNN, PyTorch RNN with tanh):
 * <pre>
 *   h = tanh(W_ih x + b_ih + W_hh h_prev + b_hh)
 *   da = dh * (1 - h^2)        dh_prev += da W_hh
 * </pre>
 */
final class SimpleRnnCell extends RecurrentCell {
    SimpleRnnCell(int batch, int steps, int hidden, DataType dtype) {
        super(1, batch, steps, hidden, dtype);
    }

    @Override
    boolean foldsHiddenBias() {
        return true;
    }

    @Override
    void forward(INDArray weightHh, INDArray biasHh) {
        for (int t = 0; t < steps; t++) {
            Ops.gemm(outStep[t], weightHh, preStep[t], false, true, 1.0);
            Ops.tanh(preStep[t], outStep[t + 1]);
        }
    }

    @Override
    void backward(INDArray weightHh, INDArray gradWeightHh, INDArray gradBiasHh, INDArray ones) {
        Ops.tanhDerivative(outputs(), dPre);
        for (int t = steps - 1; t >= 0; t--) {
            dPreStep[t].muli(dOutStep[t + 1]);
            Ops.gemm(dPreStep[t], weightHh, dOutStep[t], false, false, 1.0);
        }
        Ops.gemm(dPre, previousOutputs(), gradWeightHh, true, false, 0.0);
    }
}
