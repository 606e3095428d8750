package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** RMSprop as Keras defines it: s = rho s + (1-rho) g^2; p -= lr g / (sqrt(s) + eps). */
public final class RmsProp extends StatefulOptimizer {
    private final double rho;
    private final double epsilon;

    public RmsProp(double rho, double epsilon) {
        super(List.of("square"));
        this.rho = rho;
        this.epsilon = epsilon;
    }

    @Override
    void update(String parameter, INDArray value, INDArray gradient, double learningRate) {
        INDArray square = buffer("square", parameter);
        square.muli(rho).addi(gradient.mul(gradient).muli(1 - rho));
        INDArray denominator = Transforms.sqrt(square, true).addi(epsilon);
        value.subi(gradient.div(denominator).muli(learningRate));
    }

    @Override
    public String name() {
        return "rmsprop";
    }
}
