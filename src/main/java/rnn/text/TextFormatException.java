package rnn.text;

import rnn.RnnException;

/** The input is not UTF-8 text: a malformed byte sequence or a NUL byte; the message names the file and byte. */
public class TextFormatException extends RnnException {
    private final long byteOffset;

    public TextFormatException(String message, long byteOffset) {
        super(message);
        this.byteOffset = byteOffset;
    }

    /** Zero-based offset in the input of the first offending byte. */
    public long byteOffset() {
        return byteOffset;
    }
}
