package rnn;

/** A setting is out of range or inconsistent; the message names the command-line option. */
public class InvalidConfigException extends RnnException {
    public InvalidConfigException(String message) {
        super(message);
    }
}
