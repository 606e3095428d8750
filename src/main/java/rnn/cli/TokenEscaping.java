package rnn.cli;

/**
 * Tokens as the command line prints them. In data (tab-separated lines) backslash, tab, newline and
 * carriage return are written as \\, \t, \n, \r, and every other character that could drive a
 * terminal (control characters such as ESC, and the bidirectional-text controls such as U+202E
 * that reorder what is shown) as backslash-u and 4 hex digits, so output cannot be garbled or
 * disguised. In messages tokens are also cut to {@value #MAX_SHOWN_CHARS} characters.
 */
final class TokenEscaping {
    /** Longest token a message shows whole. */
    static final int MAX_SHOWN_CHARS = 60;

    private TokenEscaping() {
    }

    static String escape(String token) {
        return append(new StringBuilder(token.length() + 2), token).toString();
    }

    /** As {@link #escape}, cut to a length a message can show. */
    static String visible(String token) {
        if (token.length() <= MAX_SHOWN_CHARS) {
            return escape(token);
        }
        int cut = MAX_SHOWN_CHARS;
        if (Character.isHighSurrogate(token.charAt(cut - 1))) {
            cut--;
        }
        return escape(token.substring(0, cut)) + "...(" + token.length() + " characters)";
    }

    static StringBuilder append(StringBuilder out, String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> {
                    if (drivesTheTerminal(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out;
    }

    /** C0 and C1 controls (ESC, DEL, CSI ...), line and paragraph separators, and the marks and overrides of bidirectional text. */
    private static boolean drivesTheTerminal(char c) {
        return Character.isISOControl(c)
                || c == '\u061c' || c == '\u200e' || c == '\u200f' || c == '\u2028' || c == '\u2029'
                || c >= '\u202a' && c <= '\u202e'
                || c >= '\u2066' && c <= '\u2069';
    }
}
