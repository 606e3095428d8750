package rnn.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a run stands after an epoch: its progress (best epoch, learning-rate schedule, patience),
 * whether the epoch improved on the best validation loss, and a notice when it stops early. The
 * schedule and early stopping live here, apart from the loops that train (one machine's Trainer
 * and the cluster's), which both end an epoch through {@link #after}.
 */
public record EpochEnd(Progress progress, boolean improved, String stopNotice) {
    /** The bookkeeping after epoch {@code result.epoch()}, which ended at optimizer step {@code step}. */
    public static EpochEnd after(TrainConfig config, Progress progress, EpochResult result, long step) {
        int epoch = result.epoch();
        Double validationLoss = result.validationLoss();
        boolean improved = validationLoss == null || progress.bestValidationLoss() == null
                || validationLoss < progress.bestValidationLoss();
        Integer bestEpoch = improved ? Integer.valueOf(epoch) : progress.bestEpoch();
        Double bestLoss = improved ? validationLoss : progress.bestValidationLoss();
        int withoutImprovement = improved ? 0 : progress.epochsWithoutImprovement() + 1;
        List<EpochResult> history = new ArrayList<>(progress.history());
        history.add(result);
        Progress next = new Progress(epoch + 1, 0, step,
                config.optimization().nextLearningRate(epoch, result.learningRate(), improved), bestEpoch, bestLoss,
                withoutImprovement, 0, 0, 0, 0, history);
        String stop = null;
        OptimizationConfig optimization = config.optimization();
        if (optimization.patience() > 0 && withoutImprovement >= optimization.patience()
                && epoch < optimization.epochs()) {
            stop = "stopping early: validation loss has not improved for " + withoutImprovement
                    + " epochs (best " + String.format(Locale.ROOT, "%.4f", bestLoss) + " at epoch "
                    + bestEpoch + ")";
        }
        return new EpochEnd(next, improved, stop);
    }
}
