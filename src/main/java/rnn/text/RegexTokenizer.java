package rnn.text;

import java.util.regex.Pattern;

/** {@code regex:PATTERN}: the tokens are the non-empty matches; everything between them is dropped. */
final class RegexTokenizer extends AbstractTokenizer {
    private final Pattern pattern;

    RegexTokenizer(TokenizerSpec spec, Pattern pattern) {
        super(spec);
        this.pattern = pattern;
    }

    @Override
    boolean split(String line, TokenSink sink) {
        return WordTokenizer.emitMatches(pattern.matcher(line), sink);
    }

    @Override
    public Detokenizer detokenizer() {
        return new WordTokenizer.Joiner();
    }
}
