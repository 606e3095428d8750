package rnn;

/** Base of the library's own errors: the message is a complete one-line sentence for the user. */
public class RnnException extends RuntimeException {
    public RnnException(String message) {
        super(message);
    }

    public RnnException(String message, Throwable cause) {
        super(message, cause);
    }
}
