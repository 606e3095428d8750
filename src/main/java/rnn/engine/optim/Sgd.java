package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/** SGD, with PyTorch's momentum when mu > 0: v = mu v + g; p -= lr v. Without: p -= lr g. */
public final class Sgd extends StatefulOptimizer {
    private final double momentum;

    public Sgd(double momentum) {
        super(momentum > 0 ? List.of("velocity") : List.of());
        this.momentum = momentum;
    }

    @Override
    void update(String parameter, INDArray value, INDArray gradient, double learningRate) {
        if (momentum == 0) {
            value.subi(gradient.mul(learningRate));
            return;
        }
        INDArray velocity = buffer("velocity", parameter);
        velocity.muli(momentum).addi(gradient);
        value.subi(velocity.mul(learningRate));
    }

    @Override
    public String name() {
        return "sgd";
    }
}
