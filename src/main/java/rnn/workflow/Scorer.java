package rnn.workflow;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import rnn.engine.Batch;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;

/** Natural-log probabilities of successive tokens of one text, each given everything before it. */
abstract class Scorer {
    static final long TABLE_BYTES_MAX = 256L << 20;
    final LanguageModel model;
    private double[] startLogProbabilities;
    private LanguageModel[] workers;

    Scorer(LanguageModel model) {
        this.model = model;
    }

    /** How many tokens a call should get at most. */
    abstract int chunk();

    /**
     * Fills lnP[0..n) for ids[0..n), the next n tokens of the text; {@code starts[i]} marks a
     * token that begins an independently scored line (never set when contexts run on).
     */
    abstract void score(int[] ids, boolean[] starts, int n, double[] lnP);

    abstract String describe();

    /** ln p(id) from the zero start state: the softmax of the decoder bias. */
    double fromStart(int id) {
        if (startLogProbabilities == null) {
            startLogProbabilities = InferenceModel.startLogProbabilities(model);
        }
        return startLogProbabilities[id];
    }

    /**
     * Up to {@code most} models for the engine's threads, made once: all share the weights;
     * a text of at least twice as many tokens as the vocabulary also gets layer 0's input
     * table (see {@link LanguageModel#withInputTable()}), up to {@value #TABLE_BYTES_MAX} bytes of it.
     */
    LanguageModel[] workers(int tokens, int most) {
        if (workers == null) {
            boolean tabled = tokens >= 2L * model.config().vocabSize()
                    && model.inputTableBytes() <= TABLE_BYTES_MAX;
            LanguageModel first = tabled ? model.withInputTable() : model;
            workers = new LanguageModel[Math.max(1, Math.min(most, EngineThreads.configured()))];
            workers[0] = first;
            for (int w = 1; w < workers.length; w++) {
                workers[w] = first.sharingParameters();
            }
        }
        return workers;
    }

    /**
     * Scores runs that each start from the zero state, up to {@code group} side by side,
     * longest first so that the runs of a batch end about together (the shorter ones padded,
     * the padding's scores dropped); the batches are shared among {@code models}, one thread
     * each. The prediction of {@code tokens[from + 1 + t]} goes to {@code lnP[from + 1 + t - shift]}.
     */
    static void scoreRuns(LanguageModel[] models, int[] tokens, int shift, List<ZeroRun> runs, int group,
                          double[] lnP) {
        if (runs.isEmpty()) {
            return;
        }
        ZeroRun[] sorted = runs.toArray(ZeroRun[]::new);
        Arrays.sort(sorted, Comparator.comparingInt(ZeroRun::steps).reversed());
        int batches = (sorted.length + group - 1) / group;
        int parts = Math.min(models.length, batches);
        EngineThreads.inParallel(parts, w -> {
            for (int k = w; k < batches; k += parts) {
                scoreRunBatch(models[w], tokens, shift, sorted, k * group,
                        Math.min(sorted.length, (k + 1) * group), lnP);
            }
        });
    }

    /** Runs lo..hi as one batch, {@value #Perplexity.STEP_CHUNK} steps (or the rest, rounded up to 8) per pass. */
    private static void scoreRunBatch(LanguageModel model, int[] tokens, int shift, ZeroRun[] runs, int lo, int hi,
                                      double[] lnP) {
        int count = hi - lo;
        int longest = runs[lo].steps();
        RecurrentState state = model.newState(count);
        for (int t0 = 0; t0 < longest; t0 += Perplexity.STEP_CHUNK) {
            int steps = Math.min(Perplexity.STEP_CHUNK, (longest - t0 + 7) / 8 * 8);
            int[] inputs = new int[count * steps];
            int[] targets = new int[count * steps];
            for (int b = 0; b < count; b++) {
                ZeroRun run = runs[lo + b];
                for (int t = 0; t < steps && t0 + t < run.steps(); t++) {
                    inputs[t * count + b] = tokens[run.from() + t0 + t];
                    targets[t * count + b] = tokens[run.from() + t0 + t + 1];
                }
            }
            double[] scored = model.targetLogProbabilities(new Batch(count, steps, inputs, targets, Objective.ALL),
                    state);
            for (int b = 0; b < count; b++) {
                ZeroRun run = runs[lo + b];
                for (int t = Math.max(0, run.skip() - t0); t < steps && t0 + t < run.steps(); t++) {
                    lnP[run.from() + 1 + t0 + t - shift] = scored[t * count + b];
                }
            }
        }
    }

    /**
     * A run from the zero state over {@code tokens[from, from + steps)}, each step predicting the
     * token after it; the first {@code skip} predictions were scored before and are not kept.
     */
    record ZeroRun(int from, int steps, int skip) {
    }
}
