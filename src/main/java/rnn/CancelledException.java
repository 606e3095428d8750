package rnn;

/** The user interrupted the work (Ctrl-C); what was safely saved stays saved. */
public class CancelledException extends RnnException {
    public CancelledException(String message) {
        super(message);
    }
}
