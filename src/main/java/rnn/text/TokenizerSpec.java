package rnn.text;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import rnn.InvalidConfigException;

/**
 * How text becomes tokens, as chosen by {@code --tokenizer} and {@code --lowercase}.
 *
 * <ul>
 * <li>{@code word}: Unicode words (letters, marks, digits; inner apostrophes and hyphens kept, as
 * in "don't" and "well-known"), and every other visible character as a token of its own; the
 * literal {@code <unk>} stays whole.</li>
 * <li>{@code whitespace}: split on whitespace, with {@code <eos>} after every line (the Penn
 * Treebank convention of PyTorch's word_language_model).</li>
 * <li>{@code char}: every Unicode code point, with {@code "\n"} after every line.</li>
 * <li>{@code regex:PATTERN}: the non-empty matches of a Java regular expression, with Unicode
 * character classes ({@code \w} matches "ï" as in Python); e.g. {@code regex:\w+} as in Keras.</li>
 * </ul>
 * With {@code lowercase}, each line is lower-cased (root locale) before it is split.
 *
 * @param kind      the tokenizer family
 * @param pattern   the regular expression for {@link Kind#REGEX}, otherwise null
 * @param lowercase lower-case the text first
 */
public record TokenizerSpec(Kind kind, String pattern, boolean lowercase) {
    /** The default: {@code word}, case kept. */
    public static final TokenizerSpec WORD = new TokenizerSpec(Kind.WORD, null, false);

    private static final String REGEX_PREFIX = "regex:";

    public enum Kind {
        WORD("word"), WHITESPACE("whitespace"), CHAR("char"), REGEX("regex");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }
    }

    public TokenizerSpec {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.REGEX) {
            compile(pattern);
        } else if (pattern != null) {
            throw new InvalidConfigException("--tokenizer " + kind.cliName + " takes no pattern");
        }
    }

    /** Parses a {@code --tokenizer} value: {@code word}, {@code whitespace}, {@code char} or {@code regex:PATTERN}. */
    public static TokenizerSpec parse(String value, boolean lowercase) {
        Objects.requireNonNull(value, "value");
        if (value.startsWith(REGEX_PREFIX)) {
            return new TokenizerSpec(Kind.REGEX, value.substring(REGEX_PREFIX.length()), lowercase);
        }
        for (Kind kind : Kind.values()) {
            if (kind != Kind.REGEX && kind.cliName.equals(value)) {
                return new TokenizerSpec(kind, null, lowercase);
            }
        }
        throw new InvalidConfigException("--tokenizer '" + value
                + "' is not one of: word, whitespace, char, regex:PATTERN");
    }

    /** The {@code --tokenizer} value that parses back to this kind and pattern. */
    public String cliValue() {
        return kind == Kind.REGEX ? REGEX_PREFIX + pattern : kind.cliName;
    }

    public TokenizerSpec withLowercase(boolean lower) {
        return new TokenizerSpec(kind, pattern, lower);
    }

    /** A tokenizer for this spec. */
    public Tokenizer tokenizer() {
        return switch (kind) {
            case WORD -> new WordTokenizer(this);
            case WHITESPACE -> new WhitespaceTokenizer(this);
            case CHAR -> new CharTokenizer(this);
            case REGEX -> new RegexTokenizer(this, compile(pattern));
        };
    }

    /** E.g. {@code word} or {@code regex:\w+, lowercase}. */
    @Override
    public String toString() {
        return cliValue() + (lowercase ? ", lowercase" : "");
    }

    private static Pattern compile(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new InvalidConfigException("--tokenizer regex: needs a pattern, e.g. regex:\\w+");
        }
        try {
            return Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new InvalidConfigException("--tokenizer 'regex:" + pattern + "': invalid regular expression: "
                    + e.getDescription() + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
        }
    }
}
