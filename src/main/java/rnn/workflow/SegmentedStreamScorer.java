package rnn.workflow;


import rnn.engine.Batch;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;

/**
 * Stream models, fast: each chunk of the text is cut into up to S segments of L tokens that
 * run side by side as one batch. A segment cannot wait for the state its predecessor ends in,
 * so it starts from the state its own W preceding tokens leave from zero (a warm-up, not
 * scored); a segment with fewer than W tokens before it in the text is warmed up on exactly
 * those, so a text shorter than L+1 tokens scores exactly as {@link StreamScorer}. The
 * segments are shared out among the engine's threads, each running its own copy of the
 * model's buffers over the same weights with everything on one core: that beats splitting
 * every product between the cores. A short last segment is padded, and the padding's scores
 * are dropped.
 */
final class SegmentedStreamScorer extends Scorer {
    private static final int PADDING = 0;
    private final int streams;
    private final int segment;
    private final int warmUp;
    /** The warmUp + 1 tokens before the current chunk (fewer at the text's start), then the chunk. */
    private final int[] context;
    private final int offset;
    private long position;

    SegmentedStreamScorer(LanguageModel model, int streams, int segment, int warmUp) {
        super(model);
        this.streams = streams;
        this.segment = segment;
        this.warmUp = warmUp;
        this.offset = warmUp + 1;
        this.context = new int[offset + streams * segment];
    }

    @Override
    int chunk() {
        return streams * segment;
    }

    @Override
    String describe() {
        return "stream, in " + streams + " segments of " + segment + " tokens side by side, each warmed up on its "
                + warmUp + " preceding tokens (--streams 1: one exact pass)";
    }

    @Override
    void score(int[] ids, boolean[] starts, int n, double[] lnP) {
        System.arraycopy(ids, 0, context, offset, n);
        int from = 0;
        if (position == 0) {
            lnP[0] = fromStart(ids[0]);
            from = 1;
        }
        int length = segmentLength(n - from);
        int count = (n - from + length - 1) / length;
        if (count > 0) {
            int first = from;
            LanguageModel[] workers = workers(n, streams);
            int parts = Math.min(workers.length, count);
            EngineThreads.inParallel(parts, w -> {
                int lo = (int) ((long) count * w / parts);
                int hi = (int) ((long) count * (w + 1) / parts);
                scoreSegments(workers[w], first + lo * length, hi - lo, length, n, lnP);
            });
        }
        System.arraycopy(context, n, context, 0, offset);
        position += n;
    }

    /**
     * L for a full chunk. The text's last chunk is cut into S shorter segments instead, down
     * to 2W tokens each, to keep the batch wide; a text of at most L tokens stays one segment.
     */
    private int segmentLength(int tokens) {
        if (tokens <= segment) {
            return segment;
        }
        int even = (tokens + streams - 1) / streams;
        return Math.min(segment, Math.max(2 * warmUp, even));
    }

    /**
     * Scores the {@code count} consecutive segments of {@code length} tokens from chunk index
     * {@code start} (the last one may end early, at {@code n}). Warm-up inputs are left-padded
     * where a segment has fewer than W tokens before it, its state zeroed where its own
     * history begins.
     */
    private void scoreSegments(LanguageModel model, int start, int count, int length, int n, double[] lnP) {
        RecurrentState state = model.newState(count);
        int[] pad = new int[count];
        for (int b = 0; b < count; b++) {
            long history = position + start + (long) b * length - 1; // tokens before its first input
            pad[b] = (int) (warmUp - Math.min(history, warmUp));
        }
        // The warm-up in pieces of Perplexity.STEP_CHUNK steps (the scoring's own buffers), also cut
        // where a segment's history starts.
        int done = 0;
        while (done < warmUp) {
            int next = Math.min(warmUp, done + Perplexity.STEP_CHUNK);
            for (int p : pad) {
                if (p > done && p < next) {
                    next = p;
                }
            }
            int steps = next - done;
            int[] inputs = new int[count * steps];
            for (int b = 0; b < count; b++) {
                int firstInput = offset + start + b * length - 1 - warmUp;
                for (int t = 0; t < steps; t++) {
                    int step = done + t;
                    inputs[t * count + b] = step < pad[b] ? PADDING : context[firstInput + step];
                }
            }
            model.advance(new Batch(count, steps, inputs, null, Objective.ALL), state);
            for (int b = 0; b < count; b++) {
                if (pad[b] == next) {
                    state.reset(b);
                }
            }
            done = next;
        }
        // Then the segments themselves, a few steps at a time with the state carried, so the
        // logits stay small ([S x Perplexity.STEP_CHUNK, V]) however long the segments are.
        int longest = Math.min(length, n - start);
        int[] inputs = new int[count * Perplexity.STEP_CHUNK];
        int[] targets = new int[count * Perplexity.STEP_CHUNK];
        for (int t0 = 0; t0 < longest; t0 += Perplexity.STEP_CHUNK) {
            for (int b = 0; b < count; b++) {
                int segmentStart = start + b * length;
                int end = Math.min(segmentStart + length, n);
                for (int t = 0; t < Perplexity.STEP_CHUNK; t++) {
                    int at = segmentStart + t0 + t;
                    boolean real = at < end;
                    inputs[t * count + b] = real ? context[offset + at - 1] : PADDING;
                    targets[t * count + b] = real ? context[offset + at] : PADDING;
                }
            }
            double[] scored = model.targetLogProbabilities(
                    new Batch(count, Perplexity.STEP_CHUNK, inputs, targets, Objective.ALL), state);
            for (int b = 0; b < count; b++) {
                int segmentStart = start + b * length;
                int end = Math.min(segmentStart + length, n);
                for (int t = 0; t < Perplexity.STEP_CHUNK && segmentStart + t0 + t < end; t++) {
                    lnP[segmentStart + t0 + t] = scored[t * count + b];
                }
            }
        }
    }
}
