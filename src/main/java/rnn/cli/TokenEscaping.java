package rnn.cli;

/** Tokens on tab-separated output lines: backslash, tab, newline and carriage return are written as \\, \t, \n, \r. */
final class TokenEscaping {
    private TokenEscaping() {
    }

    static String escape(String token) {
        return append(new StringBuilder(token.length() + 2), token).toString();
    }

    /** As {@link #escape}, and every other control character (NUL, ESC, DEL, ...) as backslash-u and 4 hex digits, for messages. */
    static String visible(String token) {
        StringBuilder out = new StringBuilder(token.length() + 2);
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                append(out, String.valueOf(c));
            }
        }
        return out.toString();
    }

    static StringBuilder append(StringBuilder out, String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out;
    }
}
