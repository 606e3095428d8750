package rnn.text;

import rnn.InvalidConfigException;

/**
 * Vocabulary cut-offs: tokens seen fewer than {@code minCount} times, and all but the
 * {@code maxVocab - 1} most frequent, become {@code <unk>}.
 *
 * @param minCount the fewest occurrences a token needs to keep its own id ({@code --min-count}, at least 1)
 * @param maxVocab the most ids, {@code <unk>} included ({@code --max-vocab}, at least 2)
 */
public record VocabularyLimits(int minCount, int maxVocab) {
    /** Every token keeps its id. */
    public static final VocabularyLimits NONE = new VocabularyLimits(1, Integer.MAX_VALUE);

    public VocabularyLimits {
        if (minCount < 1) {
            throw new InvalidConfigException("--min-count must be at least 1, got " + minCount);
        }
        if (maxVocab < 2) {
            throw new InvalidConfigException("--max-vocab must be at least 2 (<unk> and one token), got " + maxVocab);
        }
    }
}
