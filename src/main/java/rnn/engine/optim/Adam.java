package rnn.engine.optim;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (PyTorch's bias-corrected form): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 */
public final class Adam extends StatefulOptimizer {
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    public Adam(double beta1, double beta2, double epsilon) {
        super(List.of("m", "v"));
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    void update(String parameter, INDArray value, INDArray gradient, double learningRate) {
        INDArray m = buffer("m", parameter);
        INDArray v = buffer("v", parameter);
        m.muli(beta1).addi(gradient.mul(1 - beta1));
        v.muli(beta2).addi(gradient.mul(gradient).muli(1 - beta2));
        double correction1 = 1 - Math.pow(beta1, steps);
        double correction2 = 1 - Math.pow(beta2, steps);
        INDArray denominator = Transforms.sqrt(v.div(correction2), false).addi(epsilon);
        value.subi(m.div(denominator).muli(learningRate / correction1));
    }

    @Override
    public String name() {
        return "adam";
    }
}
