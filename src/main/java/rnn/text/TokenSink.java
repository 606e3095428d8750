package rnn.text;

/** Receives tokens one at a time, so a producer never has to hold a whole text's tokens. */
@FunctionalInterface
public interface TokenSink {
    /** Takes the next token; returns false to stop the producer early (for example when output is closed). */
    boolean accept(String token);
}
