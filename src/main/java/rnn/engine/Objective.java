package rnn.engine;

/** Which positions of a window are trained to predict their next token. */
public enum Objective {
    /** Every position: W predictions per window (language-model style). */
    ALL,
    /** Only the last position: one prediction per window (the classic "Mary had a little -> lamb" table). */
    LAST
}
