package rnn.cli;

/** Tokens on tab-separated output lines: backslash, tab, newline and carriage return are written as \\, \t, \n, \r. */
final class TokenEscaping {
    private TokenEscaping() {
    }

    static String escape(String token) {
        return append(new StringBuilder(token.length() + 2), token).toString();
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
