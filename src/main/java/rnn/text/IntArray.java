package rnn.text;

import java.util.Arrays;

/** A growable array of ints without boxing: 4 bytes a value, plus spare capacity while growing. */
public final class IntArray {
    /** The largest array size every JVM can allocate. */
    public static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    private int[] values;
    private int size;

    public IntArray() {
        this(1024);
    }

    public IntArray(int initialCapacity) {
        values = new int[Math.max(1, initialCapacity)];
    }

    public void add(int value) {
        if (size == values.length) {
            grow();
        }
        values[size++] = value;
    }

    public int get(int index) {
        return values[checkIndex(index)];
    }

    public void set(int index, int value) {
        values[checkIndex(index)] = value;
    }

    /** Adds one to the value at {@code index}. */
    public void increment(int index) {
        values[checkIndex(index)]++;
    }

    public int size() {
        return size;
    }

    /** The values as an array of exactly {@link #size()}; shares the storage when it already fits, so add no more after. */
    public int[] trimmed() {
        if (values.length != size) {
            values = Arrays.copyOf(values, size);
        }
        return values;
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " out of bounds for size " + size);
        }
        return index;
    }

    private void grow() {
        if (size == MAX_SIZE) {
            throw new IllegalStateException("an IntArray holds at most " + MAX_SIZE + " values");
        }
        // 1.5x keeps the spare memory moderate for corpora of hundreds of millions of tokens.
        int capacity = (int) Math.min(MAX_SIZE, size + (size >> 1) + 16L);
        values = Arrays.copyOf(values, capacity);
    }
}
