package rnn.checkpoint;

/** The safetensors element types rnn reads and writes; codes as in the safetensors header. */
public enum TensorDtype {
    F32(4),
    F64(8);

    private final int byteSize;

    TensorDtype(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The dtype for a header code such as {@code "F32"}, or null if rnn does not support it. */
    public static TensorDtype fromCode(String code) {
        for (TensorDtype dtype : values()) {
            if (dtype.name().equals(code)) {
                return dtype;
            }
        }
        return null;
    }
}
