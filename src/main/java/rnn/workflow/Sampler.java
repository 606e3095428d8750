package rnn.workflow;

import java.util.Arrays;
import java.util.SplittableRandom;

import rnn.text.Vocabulary;

/**
 * Picks the next token id from a row of logits: the argmax at temperature 0, otherwise a draw
 * from softmax(logits / T), optionally restricted to the K most probable tokens (top-k) and then
 * to the smallest set of most probable tokens whose probabilities reach P (top-p, nucleus). The
 * {@code <unk>} id is never picked. Ties rank the lower id first, so top-k 1 is exactly greedy.
 * One draw of {@link SplittableRandom#nextDouble()} per sampled token: a fixed seed repeats.
 */
final class Sampler {
    private final double temperature;
    private final Integer topK;
    private final Double topP;
    private final SplittableRandom random;

    Sampler(double temperature, Integer topK, Double topP, long seed) {
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    int next(double[] logits) {
        if (temperature == 0) {
            return argmax(logits);
        }
        int[] candidates = candidates(logits);
        double max = Double.NEGATIVE_INFINITY;
        for (int id : candidates) {
            max = Math.max(max, logits[id]);
        }
        double[] weights = new double[candidates.length];
        double total = 0;
        for (int i = 0; i < candidates.length; i++) {
            weights[i] = Math.exp((logits[candidates[i]] - max) / temperature);
            total += weights[i];
        }
        int kept = candidates.length;
        if (topP != null && topP < 1) {
            // candidates are sorted by probability here (see candidates()): keep the shortest prefix reaching P
            double cumulative = 0;
            kept = 0;
            while (kept < candidates.length && cumulative < topP * total) {
                cumulative += weights[kept++];
            }
            total = cumulative;
        }
        double u = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += weights[i];
            if (u < cumulative) {
                return candidates[i];
            }
        }
        return candidates[kept - 1]; // u fell in the rounding gap at the very top
    }

    /** The most probable id other than {@code <unk>}; the lowest such id on ties. */
    static int argmax(double[] logits) {
        int best = -1;
        for (int id = 0; id < logits.length; id++) {
            if (id != Vocabulary.UNKNOWN_ID && (best < 0 || logits[id] > logits[best])) {
                best = id;
            }
        }
        return best;
    }

    /**
     * The ids that may be drawn: every id but {@code <unk>} in id order, or, when top-k or top-p
     * is set, the best ones in descending order of logit (ties: lower id first), at most K.
     */
    private int[] candidates(double[] logits) {
        int vocabulary = logits.length;
        int[] ids = new int[vocabulary - 1];
        for (int id = 0, i = 0; id < vocabulary; id++) {
            if (id != Vocabulary.UNKNOWN_ID) {
                ids[i++] = id;
            }
        }
        if (topK == null && (topP == null || topP >= 1)) {
            return ids;
        }
        Integer[] boxed = Arrays.stream(ids).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> logits[a] != logits[b] ? Double.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = topK == null ? boxed.length : Math.min(topK, boxed.length);
        int[] sorted = new int[keep];
        for (int i = 0; i < keep; i++) {
            sorted[i] = boxed[i];
        }
        return sorted;
    }
}
