package rnn.text;

import java.util.Optional;

/** {@code char}: every Unicode code point (not UTF-16 unit) is a token, and every line end is {@code "\n"}. */
final class CharTokenizer extends AbstractTokenizer {
    static final String NEWLINE = "\n";
    private static final String[] ASCII = new String[128];

    static {
        for (char c = 0; c < ASCII.length; c++) {
            ASCII[c] = String.valueOf(c).intern();
        }
    }

    CharTokenizer(TokenizerSpec spec) {
        super(spec);
    }

    @Override
    boolean split(String line, TokenSink sink) {
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            int width = Character.isHighSurrogate(c) && i + 1 < line.length()
                    && Character.isLowSurrogate(line.charAt(i + 1)) ? 2 : 1;
            String token = c < ASCII.length ? ASCII[c] : line.substring(i, i + width);
            if (!sink.accept(token)) {
                return false;
            }
            i += width;
        }
        return true;
    }

    @Override
    public Optional<String> lineEndToken() {
        return Optional.of(NEWLINE);
    }

    @Override
    public Detokenizer detokenizer() {
        return token -> token;
    }
}
