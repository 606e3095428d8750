package rnn.text;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code word}: runs of letters, combining marks and digits (any script) are words, and an
 * apostrophe or hyphen between two such runs stays inside the word ("don't", "well-known").
 * Every other character that is not whitespace is a token by itself, together with any combining
 * marks that follow it. Whitespace only separates. The literal {@code <unk>} stays one token, so
 * corpora that already mark unknown words (the Penn Treebank) keep their marker.
 */
final class WordTokenizer extends AbstractTokenizer {
    private static final String WORD_CHAR = "[\\p{L}\\p{M}\\p{N}]";
    private static final Pattern TOKEN = Pattern.compile(
            Vocabulary.UNKNOWN_TOKEN + "|" + WORD_CHAR + "+(?:['\u2019\\-\u2010]" + WORD_CHAR + "+)*"
                    + "|[^\\p{IsWhite_Space}\\p{L}\\p{M}\\p{N}]\\p{M}*");
    /** Punctuation written against the preceding word. */
    private static final Set<String> CLOSING = Set.of(".", ",", ";", ":", "!", "?", ")", "]", "}", "%", "\u2026",
            "\u201d", "\u2019");
    /** Punctuation written against the following word. */
    private static final Set<String> OPENING = Set.of("(", "[", "{", "\u201c", "\u2018");
    WordTokenizer(TokenizerSpec spec) {
        super(spec);
    }

    @Override
    boolean split(String line, TokenSink sink) {
        return emitMatches(TOKEN.matcher(line), sink);
    }

    @Override
    public Detokenizer detokenizer() {
        return new Joiner();
    }

    /** Sends every non-empty match to the sink. */
    static boolean emitMatches(Matcher matcher, TokenSink sink) {
        while (matcher.find()) {
            if (matcher.end() > matcher.start() && !sink.accept(matcher.group())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Single spaces between tokens, except before closing and after opening punctuation. A
     * straight quote opens and closes in turn (counted per kind), so {@code " Hi , " said} reads
     * {@code "Hi," said}.
     */
    static final class Joiner implements Detokenizer {
        private boolean spaceNext;
        private boolean doubleOpen;
        private boolean singleOpen;

        @Override
        public String next(String token) {
            boolean opening = OPENING.contains(token);
            boolean closing = CLOSING.contains(token);
            if (token.equals("\"")) {
                opening = !doubleOpen;
                closing = doubleOpen;
                doubleOpen = !doubleOpen;
            } else if (token.equals("'")) {
                opening = !singleOpen;
                closing = singleOpen;
                singleOpen = !singleOpen;
            }
            String piece = spaceNext && !closing ? " " + token : token;
            spaceNext = !opening;
            return piece;
        }
    }
}
