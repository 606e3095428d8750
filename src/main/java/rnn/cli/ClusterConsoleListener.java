package rnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

import rnn.cluster.ClusterListener;
import rnn.cluster.RoundReport;
import rnn.train.EpochResult;
import rnn.train.TrainingPlan;

/** A cluster run's progress: rnn train's lines and JSON, with a line per round instead of the progress bar. */
final class ClusterConsoleListener implements ClusterListener {
    private final ConsoleListener epochs;
    private final PrintWriter err;
    private final boolean quiet;

    ClusterConsoleListener(PrintWriter out, PrintWriter err, boolean json, boolean quiet) {
        // Not live: round lines take the place of the bar.
        this.epochs = new ConsoleListener(out, err, json, quiet, false, false);
        this.err = err;
        this.quiet = quiet;
    }

    @Override
    public void onStart(TrainingPlan plan) {
        epochs.onStart(plan);
    }

    @Override
    public void onRound(RoundReport r) {
        if (!quiet) {
            err.printf(Locale.ROOT, "epoch %d round %d/%d | batches %d-%d of %d | loss %.4f | %,.0f tok/s | compute"
                            + " %.2f s, communication %.2f s | %.1f MB per worker%n", r.epoch(), r.round(), r.rounds(),
                    r.lastBatch() - r.steps() + 1, r.lastBatch(), r.batchesPerEpoch(), r.loss(),
                    r.tokens() / Math.max(r.seconds(), 1e-9),
                    r.computeSeconds(), r.communicationSeconds(), r.bytesPerWorker() / 1e6);
            err.flush();
        }
    }

    @Override
    public void onEpoch(EpochResult result) {
        epochs.onEpoch(result);
    }

    @Override
    public void onCheckpoint(Path file) {
        epochs.onCheckpoint(file);
    }

    @Override
    public void onNotice(String message) {
        epochs.onNotice(message);
    }
}
