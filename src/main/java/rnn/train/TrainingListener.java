package rnn.train;

import java.nio.file.Path;

/** Progress of a training run; every method is optional. The library reports, the caller prints. */
public interface TrainingListener {
    /** Before the first batch: what is about to be trained. */
    default void onStart(TrainingPlan plan) {
    }

    /** After each batch of an epoch (batch is 1-based within the epoch). */
    default void onBatch(int epoch, int batch, int batchesInEpoch, double runningLoss, double tokensPerSecond) {
    }

    /** After an epoch's last batch, before its validation pass over {@code tokens} tokens. */
    default void onValidation(int epoch, long tokens) {
    }

    default void onEpoch(EpochResult result) {
    }

    default void onCheckpoint(Path file) {
    }

    /** A non-fatal remark for the user (e.g. early stopping). */
    default void onNotice(String message) {
    }
}
