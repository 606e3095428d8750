package rnn.cluster;

import rnn.train.TrainingListener;

/** Training progress of a cluster run: everything a single-machine run reports, and each round. */
public interface ClusterListener extends TrainingListener {
    default void onRound(RoundReport report) {
    }
}
