package rnn.engine.loss;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Row-wise softmax of logits with the max shift, and the log-probabilities of given targets. */
public final class Softmax {
    private Softmax() {
    }

    /** Log-probabilities (natural log) of each row's target, and the targets' probabilities. */
    public record Result(double[] targetLogProbabilities) {
        public double[] targetProbabilities() {
            double[] p = new double[targetLogProbabilities.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = Math.exp(targetLogProbabilities[i]);
            }
            return p;
        }
    }

    /**
     * Writes softmax(logits) into {@code work} (same shape, not a view) and returns the target
     * log-probabilities, computed as (z_y - max) - log(sum exp(z - max)) so none underflows to -inf.
     */
    public static Result into(INDArray logits, int[] targets, INDArray work) {
        int rows = (int) logits.size(0);
        long vocab = logits.size(1);
        work.assign(logits);
        INDArray max = work.max(1);
        work.subiColumnVector(max);
        DataBuffer data = work.data();
        double[] shiftedTarget = new double[rows];
        for (int m = 0; m < rows; m++) {
            shiftedTarget[m] = data.getDouble(m * vocab + targets[m]);
        }
        Transforms.exp(work, false);
        INDArray sums = work.sum(1);
        work.diviColumnVector(sums);
        double[] logP = new double[rows];
        for (int m = 0; m < rows; m++) {
            logP[m] = shiftedTarget[m] - Math.log(sums.getDouble(m));
        }
        return new Result(logP);
    }

    /** work[m, targets[m]] -= 1 for every row: softmax minus one-hot, without building the one-hot. */
    static void subtractOneHot(INDArray work, int[] targets) {
        long vocab = work.size(1);
        DataBuffer data = work.data();
        for (int m = 0; m < targets.length && m < work.size(0); m++) {
            long at = m * vocab + targets[m];
            data.put(at, data.getDouble(at) - 1);
        }
    }
}
