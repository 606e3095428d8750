package rnn.text;

import rnn.InvalidConfigException;

/**
 * A corpus cut into a training part and the validation part after it.
 *
 * @param train      the first part of the tokens
 * @param validation the rest, possibly empty
 */
public record Split(TokenSpan train, TokenSpan validation) {
    /**
     * Keeps the last {@code fraction} of the token stream for validation, as Keras's
     * {@code validation_split} keeps the last samples: training gets
     * {@code (long) (n * (1 - fraction))} tokens.
     *
     * @param fraction {@code --validation-split}, at least 0 and below 1
     */
    public static Split lastFraction(TokenIds ids, double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new InvalidConfigException("--validation-split must be at least 0 and below 1, got " + fraction);
        }
        long trainEnd = (long) (ids.size() * (1.0 - fraction));
        return new Split(new TokenSpan(ids, 0, trainEnd), new TokenSpan(ids, trainEnd, ids.size()));
    }

    /** {@link #lastFraction(TokenIds, double)} of an array's ids. */
    public static Split lastFraction(int[] ids, double fraction) {
        return lastFraction(TokenIds.of(ids), fraction);
    }
}
