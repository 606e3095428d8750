package rnn.text;

import java.util.Optional;

/**
 * {@code whitespace}: Python's {@code line.split()} (Unicode whitespace, no-break spaces
 * included) followed by {@code <eos>} for every line, empty lines included, exactly as PyTorch's
 * word_language_model prepares the Penn Treebank.
 */
final class WhitespaceTokenizer extends AbstractTokenizer {
    static final String END_OF_SENTENCE = "<eos>";

    WhitespaceTokenizer(TokenizerSpec spec) {
        super(spec);
    }

    @Override
    boolean split(String line, TokenSink sink) {
        int start = -1;
        for (int i = 0; i < line.length(); i++) {
            if (isSpace(line.charAt(i))) {
                if (start >= 0 && !sink.accept(line.substring(start, i))) {
                    return false;
                }
                start = -1;
            } else if (start < 0) {
                start = i;
            }
        }
        return start < 0 || sink.accept(line.substring(start));
    }

    @Override
    public Optional<String> lineEndToken() {
        return Optional.of(END_OF_SENTENCE);
    }

    /** Spaces between tokens, a line break for each {@code <eos>}. */
    @Override
    public Detokenizer detokenizer() {
        return new Detokenizer() {
            private boolean lineStart = true;

            @Override
            public String next(String token) {
                if (token.equals(END_OF_SENTENCE)) {
                    lineStart = true;
                    return "\n";
                }
                String piece = lineStart ? token : " " + token;
                lineStart = false;
                return piece;
            }
        };
    }

    /** Python's notion of whitespace: Java's plus the no-break spaces. No whitespace lies outside the BMP. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
}
