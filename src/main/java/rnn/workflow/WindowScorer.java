package rnn.workflow;

import java.util.ArrayList;
import java.util.List;

import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;

/**
 * Window models: the token at position p is predicted from the min(p, W) tokens before it,
 * starting from the zero state, as in training and in {@link Predictor}; with independent
 * lines, p counts from the line's start. Positions with fewer than W tokens before them come
 * from runs over the first tokens from the zero state, every position predicted (one run per
 * line start, side by side); the rest from windows of exactly W, batched, only the last
 * position predicted.
 */
final class WindowScorer extends Scorer {
    private final int window;
    private final boolean independent;
    private final int chunk;
    private final int batch;
    /** The last (at most W) tokens before the current chunk, then the chunk. */
    private final int[] extended;
    private int tail;
    /** Tokens before the next one that its context may use (at most W). */
    private int available;
    private final int[] inputs;
    private final int[] targets;
    private final int[] rowOf;
    /** Positions in {@code extended} that get a whole window. */
    private final int[] windowed;

    WindowScorer(LanguageModel model, int window, boolean independent, int chunk, int batch) {
        super(model);
        this.window = window;
        this.independent = independent;
        this.chunk = chunk;
        this.batch = batch;
        this.extended = new int[window + chunk];
        this.inputs = new int[batch * window];
        this.targets = new int[batch];
        this.rowOf = new int[batch];
        this.windowed = new int[chunk];
    }

    @Override
    int chunk() {
        return chunk;
    }

    @Override
    String describe() {
        return "window (each token from up to " + window + " preceding tokens" + (independent ? " of its own line" : "")
                + ", zero start state)";
    }

    @Override
    void score(int[] ids, boolean[] starts, int n, double[] lnP) {
        System.arraycopy(ids, 0, extended, tail, n);
        int end = tail + n;
        List<ZeroRun> runs = new ArrayList<>();
        int windows = 0;
        for (int i = 0; i < n; i++) {
            if (starts[i]) {
                available = 0;
            }
            int position = tail + i;
            if (available == 0) {
                lnP[i] = fromStart(ids[i]);
            } else if (available < window) {
                int from = position - available;
                ZeroRun last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (last != null && last.from() == from) {
                    runs.set(runs.size() - 1, new ZeroRun(from, available, last.skip()));
                } else {
                    runs.add(new ZeroRun(from, available, available - 1));
                }
            } else {
                windowed[windows++] = position;
            }
            available = Math.min(window, available + 1);
        }
        scoreRuns(new LanguageModel[] {model}, extended, tail, runs, Perplexity.STREAMS, lnP);
        for (int i = 0; i < windows; ) {
            int count = Math.min(batch, windows - i);
            for (int b = 0; b < batch; b++) {
                int position = windowed[i + Math.min(b, count - 1)]; // pad with the last window: same shape every time
                rowOf[b] = position;
                targets[b] = extended[position];
                for (int t = 0; t < window; t++) {
                    inputs[t * batch + b] = extended[position - window + t];
                }
            }
            double[] scored = model.targetLogProbabilities(
                    new Batch(batch, window, inputs, targets, Objective.LAST), null);
            for (int b = 0; b < count; b++) {
                lnP[rowOf[b] - tail] = scored[b];
            }
            i += count;
        }
        int keep = Math.min(window, end);
        System.arraycopy(extended, end - keep, extended, 0, keep);
        tail = keep;
    }
}
