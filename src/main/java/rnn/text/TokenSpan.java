package rnn.text;

import java.util.Arrays;
import java.util.Objects;

/**
 * The token ids {@code ids[from..to)}: a part of a corpus (its training or validation share)
 * without copying it. The array is shared, not copied, so spans are cheap; nobody may modify it.
 * Equality is that of the array reference and bounds.
 */
public record TokenSpan(int[] ids, int from, int to) {
    public TokenSpan {
        Objects.requireNonNull(ids, "ids");
        Objects.checkFromToIndex(from, to, ids.length);
    }

    /** All of {@code ids}. */
    public static TokenSpan of(int[] ids) {
        return new TokenSpan(ids, 0, ids.length);
    }

    /** Number of tokens. */
    public int length() {
        return to - from;
    }

    /** The id at {@code index} within the span. */
    public int get(int index) {
        Objects.checkIndex(index, length());
        return ids[from + index];
    }

    /** A copy of the span's ids. */
    public int[] toArray() {
        return Arrays.copyOfRange(ids, from, to);
    }

    @Override
    public String toString() {
        return "TokenSpan[" + from + ".." + to + ")";
    }
}
