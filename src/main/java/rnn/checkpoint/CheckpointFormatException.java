package rnn.checkpoint;

import rnn.RnnException;

/**
 * A checkpoint file is malformed, truncated or corrupt. The message is one line that names the
 * file and what is wrong with it, e.g. {@code models/x/weights.safetensors: tensor 'decoder.bias'
 * declares 10000 elements but 400 bytes}.
 */
public class CheckpointFormatException extends RnnException {
    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
