package rnn.text;

import java.util.Locale;
import java.util.Optional;

/** What every tokenizer shares: its spec and the optional lower-casing of each line. */
abstract class AbstractTokenizer implements Tokenizer {
    private final TokenizerSpec spec;

    AbstractTokenizer(TokenizerSpec spec) {
        this.spec = spec;
    }

    @Override
    public final TokenizerSpec spec() {
        return spec;
    }

    @Override
    public final boolean tokenize(String line, TokenSink sink) {
        return split(spec.lowercase() ? line.toLowerCase(Locale.ROOT) : line, sink);
    }

    @Override
    public Optional<String> lineEndToken() {
        return Optional.empty();
    }

    /** Splits a line that is already lower-cased if the spec asks for it. */
    abstract boolean split(String line, TokenSink sink);

    @Override
    public String toString() {
        return spec.toString();
    }
}
