package rnn.workflow;

import java.util.ArrayList;
import java.util.List;

import rnn.engine.LanguageModel;

/**
 * Stream models, {@code --independent}: every line from the zero start state, its first token
 * from the decoder bias alone. A chunk's whole lines run side by side, S at a time (see
 * {@link Scorer#scoreRuns}), shared among the threads. A line the chunk cuts, the first
 * (begun in the previous chunk) or the last (which may go on in the next), runs alone with its
 * state kept, so a line of any length scores exactly.
 */
final class IndependentLineScorer extends Scorer {
    private final int lines;
    private final int chunk;
    private final StreamScorer cut;

    IndependentLineScorer(LanguageModel model, int lines, int chunk, int segment) {
        super(model);
        this.lines = lines;
        this.chunk = chunk;
        this.cut = new StreamScorer(model, segment);
    }

    @Override
    int chunk() {
        return chunk;
    }

    @Override
    String describe() {
        return "independent lines (each from the zero start state, " + lines + " side by side)";
    }

    @Override
    void score(int[] ids, boolean[] starts, int n, double[] lnP) {
        int first = 0;
        while (first < n && !starts[first]) {
            first++;
        }
        cut.continueText(ids, 0, first, lnP);
        if (first == n) {
            return;
        }
        int last = n - 1;
        while (!starts[last]) {
            last--;
        }
        List<ZeroRun> runs = new ArrayList<>();
        for (int start = first; start < last; ) {
            int end = start + 1;
            while (!starts[end]) {
                end++;
            }
            lnP[start] = fromStart(ids[start]);
            if (end - start > 1) {
                runs.add(new ZeroRun(start, end - start - 1, 0));
            }
            start = end;
        }
        scoreRuns(workers(n, lines), ids, 0, runs, lines, lnP);
        cut.restart();
        cut.continueText(ids, last, n, lnP);
    }
}
