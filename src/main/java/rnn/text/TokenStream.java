package rnn.text;

/** Reads a whole text as one stream of tokens, with the tokenizer's line-end token after every line. */
public final class TokenStream {
    private TokenStream() {
    }

    /**
     * What one pass over a text saw.
     *
     * @param tokens   tokens sent to the sink, line-end tokens included
     * @param lines    lines read
     * @param complete false if the sink stopped the pass early
     * @param sha256   SHA-256 of the input's bytes in hex when {@code complete}, otherwise null
     */
    public record Summary(long tokens, long lines, boolean complete, String sha256) {
    }

    /** Sends every token of {@code source} to {@code sink}, until the text ends or the sink returns false. */
    public static Summary forEach(TextSource source, Tokenizer tokenizer, TokenSink sink) {
        String lineEnd = tokenizer.lineEndToken().orElse(null);
        long[] tokens = {0};
        TokenSink counting = token -> {
            tokens[0]++;
            return sink.accept(token);
        };
        try (LineReader reader = source.open()) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!tokenizer.tokenize(line, counting) || (lineEnd != null && !counting.accept(lineEnd))) {
                    return new Summary(tokens[0], reader.lineCount(), false, null);
                }
            }
            return new Summary(tokens[0], reader.lineCount(), true, reader.sha256Hex());
        }
    }
}
