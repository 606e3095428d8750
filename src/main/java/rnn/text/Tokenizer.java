package rnn.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits one line of text into tokens. Implementations are immutable and thread-safe; get one from
 * {@link TokenizerSpec#tokenizer()}.
 */
public interface Tokenizer {
    /** The configuration this tokenizer was made from. */
    TokenizerSpec spec();

    /**
     * Sends the tokens of {@code line} (which holds no line end) to {@code sink}, in order; the
     * {@linkplain #lineEndToken() line-end token}, if any, is not included.
     *
     * @return false if the sink asked to stop
     */
    boolean tokenize(String line, TokenSink sink);

    /** The tokens of {@code line} as a list, for short texts such as a prompt. */
    default List<String> tokenize(String line) {
        List<String> tokens = new ArrayList<>();
        tokenize(line, token -> {
            tokens.add(token);
            return true;
        });
        return tokens;
    }

    /**
     * The token that stands for the end of every line, if this tokenizer keeps line ends:
     * {@code <eos>} for {@code whitespace}, {@code "\n"} for {@code char}, none for the others.
     */
    Optional<String> lineEndToken();

    /**
     * Turns tokens back into text one at a time, for output that streams as it is produced: each
     * call returns what the token adds. Spacing may depend on everything before (an open quote),
     * so one detokenizer follows one text from its start.
     */
    interface Detokenizer {
        String next(String token);
    }

    /** A detokenizer at the start of a text. */
    Detokenizer detokenizer();

    /** Turns tokens back into readable text, the inverse of tokenizing as far as the tokenizer allows. */
    default String detokenize(List<String> tokens) {
        Detokenizer detokenizer = detokenizer();
        StringBuilder text = new StringBuilder();
        for (String token : tokens) {
            text.append(detokenizer.next(token));
        }
        return text.toString();
    }
}
