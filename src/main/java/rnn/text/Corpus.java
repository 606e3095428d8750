package rnn.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import rnn.RnnException;

/**
 * A text encoded as one array of token ids, with the vocabulary that encodes it.
 *
 * <p>Memory is the ids (4 bytes a token) plus the vocabulary. {@link #read(TextSource, Tokenizer,
 * VocabularyLimits)} reads the text once, so it works for stdin too: tokens get provisional ids in
 * order of first appearance while counting, and are remapped in place once the vocabulary is
 * known. Reading a file twice instead, {@code VocabularyBuilder.build(source, tokenizer, limits)} then
 * {@link #read(TextSource, Tokenizer, Vocabulary)}, gives the same result.
 */
public final class Corpus {
    private final String name;
    private final Vocabulary vocabulary;
    private final int[] ids;
    private final long unknownCount;
    private final String sha256;

    private Corpus(String name, Vocabulary vocabulary, int[] ids, long unknownCount, String sha256) {
        this.name = name;
        this.vocabulary = vocabulary;
        this.ids = ids;
        this.unknownCount = unknownCount;
        this.sha256 = sha256;
    }

    /** Reads the text once, builds its vocabulary under {@code limits} and encodes it. */
    public static Corpus read(TextSource source, Tokenizer tokenizer, VocabularyLimits limits) {
        Map<String, Integer> provisionalIds = new HashMap<>();
        List<String> tokensByProvisionalId = new ArrayList<>();
        IntArray counts = new IntArray();
        IntArray ids = new IntArray(1 << 16);
        TokenStream.Summary summary = TokenStream.forEach(source, tokenizer, token -> {
            Integer id = provisionalIds.get(token);
            if (id == null) {
                id = tokensByProvisionalId.size();
                provisionalIds.put(token, id);
                tokensByProvisionalId.add(token);
                counts.add(0);
            }
            counts.increment(id);
            append(ids, id, source);
            return true;
        });
        requireTokens(ids, source);

        VocabularyBuilder builder = new VocabularyBuilder();
        for (int id = 0; id < tokensByProvisionalId.size(); id++) {
            builder.add(tokensByProvisionalId.get(id), counts.get(id));
        }
        Vocabulary vocabulary = builder.build(limits, source.name());

        int[] finalIds = new int[tokensByProvisionalId.size()];
        for (int id = 0; id < finalIds.length; id++) {
            finalIds[id] = vocabulary.id(tokensByProvisionalId.get(id));
        }
        int[] encoded = ids.trimmed();
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = finalIds[encoded[i]];
        }
        return new Corpus(source.name(), vocabulary, encoded, vocabulary.count(Vocabulary.UNKNOWN_ID), summary.sha256());
    }

    /** Encodes a text with an existing vocabulary (validation text, or text for a trained model); unknown tokens get id 0. */
    public static Corpus read(TextSource source, Tokenizer tokenizer, Vocabulary vocabulary) {
        IntArray ids = new IntArray(1 << 16);
        long[] unknowns = {0};
        TokenStream.Summary summary = TokenStream.forEach(source, tokenizer, token -> {
            int id = vocabulary.id(token);
            if (id == Vocabulary.UNKNOWN_ID) {
                unknowns[0]++;
            }
            append(ids, id, source);
            return true;
        });
        requireTokens(ids, source);
        return new Corpus(source.name(), vocabulary, ids.trimmed(), unknowns[0], summary.sha256());
    }

    /** How messages refer to the text: its path, or "stdin". */
    public String name() {
        return name;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The token ids in text order. Shared, not copied: do not modify. */
    public int[] ids() {
        return ids;
    }

    /** Number of tokens. */
    public int size() {
        return ids.length;
    }

    /** Tokens encoded as {@code <unk>}: literal ones and those the vocabulary lacks. */
    public long unknownCount() {
        return unknownCount;
    }

    /** SHA-256 of the text's bytes, in lowercase hex. */
    public String sha256() {
        return sha256;
    }

    /** All the tokens as one span. */
    public TokenSpan all() {
        return TokenSpan.of(ids);
    }

    /** The last {@code fraction} of the tokens for validation, the rest for training; see {@link Split#lastFraction}. */
    public Split split(double validationFraction) {
        return Split.lastFraction(ids, validationFraction);
    }

    @Override
    public String toString() {
        return "Corpus[" + name + ", " + ids.length + " tokens, vocabulary " + vocabulary.size() + "]";
    }

    private static void append(IntArray ids, int id, TextSource source) {
        if (ids.size() == IntArray.MAX_SIZE) {
            throw new RnnException(source.name() + ": more than " + IntArray.MAX_SIZE
                    + " tokens, too many for one corpus; split it into smaller files");
        }
        ids.add(id);
    }

    private static void requireTokens(IntArray ids, TextSource source) {
        if (ids.size() == 0) {
            throw new RnnException(source.name() + ": no tokens (is it empty?)");
        }
    }
}
