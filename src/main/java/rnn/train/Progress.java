package rnn.train;

import java.util.List;

/**
 * Where a run stands, saved with every checkpoint so --resume continues exactly: the next batch
 * to run, the optimizer step count, the learning rate and early-stopping bookkeeping, and the
 * partial sums of the epoch in progress (its seconds of training too, so a resumed epoch reports
 * its whole time and rate). {@code nextBatch} equal to the epoch's batch count means the epoch's
 * training is done and its validation is not: a run stopped while validating.
 */
public record Progress(int epoch, int nextBatch, long step, double learningRate, Integer bestEpoch,
                       Double bestValidationLoss, int epochsWithoutImprovement, double epochLossSum,
                       long epochPredictions, long epochTokens, double epochSeconds, List<EpochResult> history) {
    public Progress {
        history = List.copyOf(history);
    }

    public static Progress start(double learningRate) {
        return new Progress(1, 0, 0, learningRate, null, null, 0, 0, 0, 0, 0, List.of());
    }

    /** The same progress continuing with another learning rate (a resume that changes --lr). */
    public Progress withLearningRate(double newLearningRate) {
        return new Progress(epoch, nextBatch, step, newLearningRate, bestEpoch, bestValidationLoss,
                epochsWithoutImprovement, epochLossSum, epochPredictions, epochTokens, epochSeconds, history);
    }

    public int epochsCompleted() {
        return history.size();
    }
}
