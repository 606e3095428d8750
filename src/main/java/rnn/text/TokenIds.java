package rnn.text;

import java.util.Objects;

/**
 * Token ids read by position with long indices: an array in memory, or an encoded-token cache
 * file read a block at a time ({@link FileTokenIds}), so a corpus may hold more than 2^31 tokens
 * and need not fit in the Java heap. Read-only.
 */
public interface TokenIds {
    /** Number of ids. */
    long size();

    /** The id at {@code index}, 0 ≤ index < size(). */
    int get(long index);

    /** The ids of an array, shared (not copied): nobody may modify it. */
    static TokenIds of(int[] ids) {
        return new ArrayIds(ids);
    }

    /** The ids held in a Java array. */
    record ArrayIds(int[] array) implements TokenIds {
        public ArrayIds {
            Objects.requireNonNull(array, "array");
        }

        @Override
        public long size() {
            return array.length;
        }

        @Override
        public int get(long index) {
            return array[(int) Objects.checkIndex(index, array.length)];
        }
    }
}
