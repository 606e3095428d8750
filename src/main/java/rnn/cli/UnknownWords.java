package rnn.cli;

import java.io.PrintWriter;
import java.util.List;

/** The one way commands report context words outside the vocabulary, which the model reads as {@code <unk>}. */
final class UnknownWords {
    /** More are summarised, so a long prompt of unknown words does not flood the terminal. */
    private static final int SHOWN = 20;

    private UnknownWords() {
    }

    /**
     * One line on stderr naming the words (each once, as the model found them), escaped so a
     * stray control character cannot garble or split the line; nothing when there are none.
     */
    static void report(PrintWriter err, String command, List<String> unknown) {
        if (unknown.isEmpty()) {
            return;
        }
        List<String> shown = unknown.stream().limit(SHOWN).map(TokenEscaping::visible).toList();
        err.println(command + ": not in the vocabulary (read as <unk>): " + String.join(" ", shown)
                + (unknown.size() > shown.size() ? " ... (" + (unknown.size() - shown.size()) + " more)" : ""));
    }
}
