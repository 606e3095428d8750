package rnn.workflow;


import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;

/** Stream models: one sequence, state carried from chunk to chunk, every position predicted. */
final class StreamScorer extends Scorer {
    private final RecurrentState state;
    private final int[] inputs;
    private final int[] targets;
    private int previous = -1;

    StreamScorer(LanguageModel model, int chunk) {
        super(model);
        state = model.newState(1);
        inputs = new int[chunk];
        targets = new int[chunk];
    }

    @Override
    int chunk() {
        return inputs.length;
    }

    @Override
    String describe() {
        return "stream (state carried over the whole text)";
    }

    @Override
    void score(int[] ids, boolean[] starts, int n, double[] lnP) {
        continueText(ids, 0, n, lnP);
    }

    /**
     * Scores ids[from, to) as the continuation of everything fed since the last restart (the
     * first token from the start state if nothing was), in passes of at most chunk() steps.
     */
    void continueText(int[] ids, int from, int to, double[] lnP) {
        if (previous < 0 && from < to) {
            lnP[from] = fromStart(ids[from]);
            previous = ids[from];
            from++;
        }
        while (from < to) {
            int steps = Math.min(inputs.length, to - from);
            inputs[0] = previous;
            System.arraycopy(ids, from, inputs, 1, steps - 1);
            System.arraycopy(ids, from, targets, 0, steps);
            double[] scored = model.targetLogProbabilities(new Batch(1, steps, inputs, targets, Objective.ALL),
                    state);
            System.arraycopy(scored, 0, lnP, from, steps);
            previous = ids[from + steps - 1];
            from += steps;
        }
    }

    /** Back to the start state: the next token is scored as a text's first. */
    void restart() {
        state.reset();
        previous = -1;
    }
}
