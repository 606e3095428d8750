package rnn.text;

import java.util.Objects;

/**
 * The token ids {@code ids[from..to)}: a part of a corpus (its training or validation share)
 * without copying it. The ids are shared, not copied, so spans are cheap; nobody may modify them.
 * Indices are longs: a corpus read from its cache file may hold more than 2^31 tokens.
 */
public record TokenSpan(TokenIds ids, long from, long to) {
    public TokenSpan {
        Objects.requireNonNull(ids, "ids");
        Objects.checkFromToIndex(from, to, ids.size());
    }

    /** {@code ids[from..to)} of an array. */
    public TokenSpan(int[] ids, long from, long to) {
        this(TokenIds.of(ids), from, to);
    }

    /** All of {@code ids}. */
    public static TokenSpan of(int[] ids) {
        return of(TokenIds.of(ids));
    }

    /** All of {@code ids}. */
    public static TokenSpan of(TokenIds ids) {
        return new TokenSpan(ids, 0, ids.size());
    }

    /** Number of tokens. */
    public long length() {
        return to - from;
    }

    /** The id at {@code index} within the span. */
    public int get(long index) {
        Objects.checkIndex(index, length());
        return ids.get(from + index);
    }

    /** A copy of the span's ids; for spans of at most {@link IntArray#MAX_SIZE} tokens. */
    public int[] toArray() {
        if (length() > IntArray.MAX_SIZE) {
            throw new IllegalStateException(length() + " tokens do not fit in one array");
        }
        int[] copy = new int[(int) length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = ids.get(from + i);
        }
        return copy;
    }

    @Override
    public String toString() {
        return "TokenSpan[" + from + ".." + to + ")";
    }
}
