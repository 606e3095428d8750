package rnn.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import rnn.InvalidConfigException;
import rnn.RnnException;

/** Counts tokens as they stream past (memory grows with distinct tokens only), then freezes into a {@link Vocabulary}. */
public final class VocabularyBuilder {
    /** Most frequent first, ties in token order, so the same text always gives the same ids. */
    private static final Comparator<Map.Entry<String, Counter>> VOCABULARY_ORDER =
            Comparator.<Map.Entry<String, Counter>>comparingLong(entry -> -entry.getValue().value)
                    .thenComparing(Map.Entry::getKey);

    private final Map<String, Counter> counts = new HashMap<>();
    private long tokenCount;

    /** A mutable count, so counting a token does not box a Long. */
    private static final class Counter {
        long value;
    }

    /** Counts the tokens of a whole text, line-end tokens included. */
    public static VocabularyBuilder count(TextSource source, Tokenizer tokenizer) {
        VocabularyBuilder builder = new VocabularyBuilder();
        TokenStream.forEach(source, tokenizer, builder::accept);
        return builder;
    }

    /** The vocabulary of a whole text; like {@link #build} but a text without tokens is an error naming it. */
    public static Vocabulary build(TextSource source, Tokenizer tokenizer, VocabularyLimits limits) {
        return count(source, tokenizer).build(limits, source.name());
    }

    public void add(String token) {
        add(token, 1);
    }

    public void add(String token, long occurrences) {
        if (occurrences < 0) {
            throw new IllegalArgumentException("negative count " + occurrences + " for " + token);
        }
        counts.computeIfAbsent(token, key -> new Counter()).value += occurrences;
        tokenCount += occurrences;
    }

    /** Tokens counted so far. */
    public long tokenCount() {
        return tokenCount;
    }

    /** Distinct tokens counted so far, a literal {@code <unk>} included. */
    public int distinctCount() {
        return counts.size();
    }

    /**
     * The vocabulary: {@code <unk>} at id 0, then the tokens that pass the limits, most frequent
     * first and ties in token order. The count of {@code <unk>} is the literal {@code <unk>}s plus
     * every occurrence of the tokens cut off.
     *
     * @throws RnnException if nothing, or nothing but {@code <unk>}, was counted
     * @throws InvalidConfigException if the limits cut off every token
     */
    public Vocabulary build(VocabularyLimits limits) {
        if (tokenCount == 0) {
            throw new RnnException("no tokens (is it empty?)");
        }
        Counter literalUnknown = counts.get(Vocabulary.UNKNOWN_TOKEN);
        long unknownCount = literalUnknown == null ? 0 : literalUnknown.value;
        List<Map.Entry<String, Counter>> entries = new ArrayList<>(counts.size());
        for (Map.Entry<String, Counter> entry : counts.entrySet()) {
            if (!entry.getKey().equals(Vocabulary.UNKNOWN_TOKEN)) {
                entries.add(entry);
            }
        }
        if (entries.isEmpty()) {
            throw new RnnException("no tokens besides " + Vocabulary.UNKNOWN_TOKEN + " to build a vocabulary from");
        }
        entries.sort(VOCABULARY_ORDER);

        int kept = 0;
        while (kept < entries.size() && kept < limits.maxVocab() - 1
                && entries.get(kept).getValue().value >= limits.minCount()) {
            kept++;
        }
        if (kept == 0) {
            throw new InvalidConfigException("--min-count " + limits.minCount() + " leaves only "
                    + Vocabulary.UNKNOWN_TOKEN + ": the most frequent token occurs "
                    + entries.get(0).getValue().value + " times");
        }
        String[] tokens = new String[kept + 1];
        long[] tokenCounts = new long[kept + 1];
        tokens[Vocabulary.UNKNOWN_ID] = Vocabulary.UNKNOWN_TOKEN;
        for (int i = 0; i < entries.size(); i++) {
            long count = entries.get(i).getValue().value;
            if (i < kept) {
                tokens[i + 1] = entries.get(i).getKey();
                tokenCounts[i + 1] = count;
            } else {
                unknownCount += count;
            }
        }
        tokenCounts[Vocabulary.UNKNOWN_ID] = unknownCount;
        return new Vocabulary(tokens, tokenCounts);
    }

    /** {@link #build(VocabularyLimits)}, with data errors (not option errors) prefixed by the text's name. */
    Vocabulary build(VocabularyLimits limits, String sourceName) {
        try {
            return build(limits);
        } catch (InvalidConfigException e) {
            throw e;
        } catch (RnnException e) {
            throw new RnnException(sourceName + ": " + e.getMessage(), e);
        }
    }

    private boolean accept(String token) {
        add(token, 1);
        return true;
    }
}
