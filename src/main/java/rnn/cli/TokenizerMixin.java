package rnn.cli;

import picocli.CommandLine.Option;
import rnn.text.TokenizerSpec;

/** --tokenizer and --lowercase, shared by every command that reads text (vocab, windows, train). */
public final class TokenizerMixin {
    @Option(names = "--tokenizer", paramLabel = "SPEC", defaultValue = "word", completionCandidates = Candidates.Tokenizers.class,
            description = "How text becomes tokens: word (Unicode words and punctuation; default), "
                    + "whitespace (split on spaces, <eos> after each line), char (code points, \\n after each "
                    + "line) or regex:PATTERN (the matches, e.g. regex:\\w+).")
    String tokenizer;

    @Option(names = "--lowercase", description = "Lower-case the text before tokenizing.")
    boolean lowercase;

    /** The chosen tokenizer; an invalid --tokenizer throws InvalidConfigException (exit 2). */
    public TokenizerSpec spec() {
        return TokenizerSpec.parse(tokenizer, lowercase);
    }
}
