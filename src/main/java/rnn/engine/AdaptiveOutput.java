package rnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import rnn.InvalidConfigException;

/**
 * An adaptive softmax output (Grave et al. 2017) with exactly the semantics of PyTorch's
 * {@code nn.AdaptiveLogSoftmaxWithLoss(in_features=H, n_classes=V, cutoffs, div_value,
 * head_bias=False)}: ids are split at the cutoffs into a shortlist [0, c0) and tail clusters
 * [c_i, c_{i+1}) (the last one ending at V). The head is a Linear(H, c0 + clusters) without bias
 * whose first c0 logits are the shortlist's words and logit c0 + i is tail cluster i; cluster i is
 * Linear(H, floor(H / div^(i+1))) then Linear(that, cluster size), both without bias. Then
 * log p(w) = log softmax(head)[w] for a shortlist word, and log softmax(head)[c0 + i] +
 * log softmax(tail_i)[w - c_i] for a word of cluster i: an exact, normalised distribution. Ids
 * are most frequent first (see the vocabulary), so the shortlist holds the frequent words.
 *
 * <p>No head bias, as PyTorch's default: the checkpoint then loads into the default module.
 *
 * @param cutoffs  increasing ids, the first the shortlist size; V itself is not listed
 * @param divValue each cluster's projection is div times narrower than the one before
 */
public record AdaptiveOutput(List<Integer> cutoffs, double divValue) {
    /**
     * The default div_value: 2, where PyTorch's is 4. Chosen on validation (scripts/bench-vocab.sh
     * --quality, 24k words, one epoch): div 4 ended 5.4% above the full softmax's perplexity, div 2
     * 1.3% and div 1 1.7%. The price: at 250k words div 2 trains about 7% slower (its widest tail
     * has 25 units where div 4's has 3); --div-value 4 is there for speed.
     */
    public static final double DEFAULT_DIV_VALUE = 2.0;
    /** The default shortlist; each further default cutoff is {@value #DEFAULT_GROWTH} times the one before. */
    public static final int DEFAULT_SHORTLIST = 2000;
    public static final int DEFAULT_GROWTH = 5;

    public AdaptiveOutput {
        Objects.requireNonNull(cutoffs, "cutoffs");
        cutoffs = List.copyOf(cutoffs);
        if (cutoffs.isEmpty()) {
            throw new InvalidConfigException("--cutoffs needs at least one cutoff");
        }
        for (int i = 0; i < cutoffs.size(); i++) {
            if (cutoffs.get(i) < 1) {
                throw new InvalidConfigException("--cutoffs must be positive, got " + cutoffs.get(i));
            }
            if (i > 0 && cutoffs.get(i) <= cutoffs.get(i - 1)) {
                throw new InvalidConfigException("--cutoffs must be strictly increasing, got " + cutoffs);
            }
        }
        if (!(divValue > 0 && Double.isFinite(divValue))) {
            throw new InvalidConfigException("--div-value must be positive, got " + divValue);
        }
    }

    /**
     * The default for a vocabulary of V ids and hidden size H: cutoffs at 2,000 x 5^k (2,000, 10,000,
     * 50,000, 250,000, ...) below V - 1, with no more tail clusters than keep every cluster's projection
     * at least one unit wide (floor(H / div^(i+1)) >= 1); for V of 2,001 or fewer, one cutoff at V / 2.
     */
    public static AdaptiveOutput defaultFor(int vocabSize, int hiddenSize, double divValue) {
        List<Integer> cutoffs = new ArrayList<>();
        for (long c = DEFAULT_SHORTLIST; c < vocabSize - 1; c *= DEFAULT_GROWTH) {
            if (projectionSize(hiddenSize, divValue, cutoffs.size()) < 1) {
                break;
            }
            cutoffs.add((int) c);
        }
        if (cutoffs.isEmpty()) {
            cutoffs.add(Math.max(1, vocabSize / 2));
        }
        return new AdaptiveOutput(cutoffs, divValue);
    }

    /** Checks the cutoffs and projections against the model's sizes; the message names the option. */
    public void requireFits(int vocabSize, int hiddenSize) {
        int last = cutoffs.get(cutoffs.size() - 1);
        if (last > vocabSize - 1) {
            throw new InvalidConfigException("--cutoffs must be at most the vocabulary size minus one (" + (vocabSize - 1)
                    + "), got " + last);
        }
        for (int i = 0; i < clusters(); i++) {
            if (projectionSize(hiddenSize, divValue, i) < 1) {
                throw new InvalidConfigException("--div-value " + divValue + " with --hidden " + hiddenSize
                        + " leaves tail cluster " + i + " a projection of 0 units; use fewer --cutoffs or a smaller"
                        + " --div-value");
            }
        }
    }

    /** The shortlist size c0: words [0, c0) are in the head. */
    public int shortlist() {
        return cutoffs.get(0);
    }

    /** The number of tail clusters: one per cutoff. */
    public int clusters() {
        return cutoffs.size();
    }

    /** The head's outputs: the shortlist and one logit per tail cluster. */
    public int headSize() {
        return shortlist() + clusters();
    }

    /** First id of tail cluster i. */
    public int clusterStart(int cluster) {
        return cutoffs.get(cluster);
    }

    /** One past the last id of tail cluster i. */
    public int clusterEnd(int cluster, int vocabSize) {
        return cluster + 1 < cutoffs.size() ? cutoffs.get(cluster + 1) : vocabSize;
    }

    /** Cluster i's projection width, PyTorch's {@code int(in_features // (div_value ** (i + 1)))}. */
    public int projectionSize(int cluster, int hiddenSize) {
        return projectionSize(hiddenSize, divValue, cluster);
    }

    private static int projectionSize(int hiddenSize, double divValue, int cluster) {
        return (int) Math.floor(hiddenSize / Math.pow(divValue, cluster + 1));
    }

    /** The tail cluster holding id w, or -1 for a shortlist word. */
    public int clusterOf(int id) {
        int cluster = -1;
        while (cluster + 1 < cutoffs.size() && id >= cutoffs.get(cluster + 1)) {
            cluster++;
        }
        return cluster;
    }
}
