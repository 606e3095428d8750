package rnn.cluster;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * The workers' results of a round summed up Spark's aggregation tree: weights and optimizer state
 * added element-wise in double (so that the float they round to
 * hardly ever depends on the order Spark merges them in, and never for two workers), losses and counts added, each worker's stream state kept by worker.
 */
final class RoundSum implements Serializable {
    private static final long serialVersionUID = 1L;

    TensorBundle layout;
    double[] floatSum;
    double[] doubleSum;
    final Map<Integer, TensorBundle> streamStates = new TreeMap<>();
    int workers;
    double lossSum;
    long predictions;
    long tokens;
    int steps;
    /** The slowest worker's compute time: the round waits for it. */
    double computeSeconds;
    double badLoss = Double.NaN;
    int badBatch;

    RoundSum add(WorkerRound.Result result) {
        workers++;
        lossSum += result.lossSum();
        predictions += result.predictions();
        tokens += result.tokens();
        steps = Math.max(steps, result.steps());
        computeSeconds = Math.max(computeSeconds, result.seconds());
        if (!Double.isNaN(result.badLoss()) || result.weightsAndState() == null) {
            badLoss = result.badLoss();
            badBatch = result.badBatch();
            return this;
        }
        if (result.streamState() != null) {
            streamStates.put(result.worker(), result.streamState());
        }
        TensorBundle values = result.weightsAndState();
        if (layout == null) {
            layout = values.layout();
            floatSum = new double[values.floats.length];
            doubleSum = new double[values.doubles.length];
        }
        for (int i = 0; i < floatSum.length; i++) {
            floatSum[i] += values.floats[i];
        }
        for (int i = 0; i < doubleSum.length; i++) {
            doubleSum[i] += values.doubles[i];
        }
        return this;
    }

    RoundSum merge(RoundSum other) {
        if (other.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return other;
        }
        workers += other.workers;
        lossSum += other.lossSum;
        predictions += other.predictions;
        tokens += other.tokens;
        steps = Math.max(steps, other.steps);
        computeSeconds = Math.max(computeSeconds, other.computeSeconds);
        if (!Double.isNaN(other.badLoss)) {
            badLoss = other.badLoss;
            badBatch = other.badBatch;
        }
        streamStates.putAll(other.streamStates);
        if (other.layout != null) {
            if (layout == null) {
                layout = other.layout;
                floatSum = other.floatSum;
                doubleSum = other.doubleSum;
            } else {
                for (int i = 0; i < floatSum.length; i++) {
                    floatSum[i] += other.floatSum[i];
                }
                for (int i = 0; i < doubleSum.length; i++) {
                    doubleSum[i] += other.doubleSum[i];
                }
            }
        }
        return this;
    }

    boolean diverged() {
        return !Double.isNaN(badLoss);
    }

    /** The workers' mean weights and optimizer state. */
    TensorBundle average() {
        double[] floats = floatSum.clone();
        double[] doubles = doubleSum.clone();
        for (int i = 0; i < floats.length; i++) {
            floats[i] /= workers;
        }
        for (int i = 0; i < doubles.length; i++) {
            doubles[i] /= workers;
        }
        return layout.withValues(floats, doubles);
    }
}
