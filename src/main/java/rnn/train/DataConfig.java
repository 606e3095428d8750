package rnn.train;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import rnn.InvalidConfigException;
import rnn.engine.Objective;
import rnn.text.TokenizerSpec;
import rnn.text.VocabularyLimits;

/**
 * What text a run reads and how it becomes training sequences: the corpus files, validation data,
 * tokenizer, vocabulary cut-offs and the window or stream layout. Stored in model.json; a resumed
 * run must keep all of it. Messages name the command-line option.
 *
 * @param maxVocab the most ids, {@code <unk>} included; 0 = no limit
 */
public record DataConfig(List<String> corpora, String validFile, double validationSplit,
                         String tokenizer, boolean lowercase, int minCount, int maxVocab,
                         int window, int stride, Objective objective, boolean stateful) {

    public DataConfig {
        corpora = List.copyOf(corpora);
        if (corpora.isEmpty()) {
            throw new InvalidConfigException("give at least one CORPUS file (or - for stdin)");
        }
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new InvalidConfigException("--validation-split must be in [0, 1), got " + validationSplit);
        }
        if (validFile != null && validationSplit > 0) {
            throw new InvalidConfigException("use either --valid or --validation-split, not both");
        }
        long stdinReads = corpora.stream().filter("-"::equals).count() + ("-".equals(validFile) ? 1 : 0);
        if (stdinReads > 1) {
            throw new InvalidConfigException("- (stdin) can be read only once: give it as one CORPUS or as --valid, not both");
        }
        TokenizerSpec.parse(tokenizer, lowercase); // refuses an unknown tokenizer or a bad pattern now
        if (minCount < 1) {
            throw new InvalidConfigException("--min-count must be positive, got " + minCount);
        }
        if (maxVocab != 0 && maxVocab < 2) {
            throw new InvalidConfigException("--max-vocab must be at least 2 (0 = no limit), got " + maxVocab);
        }
        TrainConfig.positive(window, "--window");
        TrainConfig.positive(stride, "--stride");
        if (objective == null) {
            throw new InvalidConfigException("--objective needs a value");
        }
        if (stateful && objective != Objective.ALL) {
            throw new InvalidConfigException("--stateful trains every position; it cannot be combined with --objective last");
        }
    }

    /**
     * The same data with each file path absolute (stdin stays "-"), as model.json stores it, so
     * that --resume finds the text from any working directory.
     */
    public DataConfig withAbsolutePaths() {
        List<String> absolute = corpora.stream().map(DataConfig::absolute).toList();
        return new DataConfig(absolute, validFile == null ? null : absolute(validFile), validationSplit, tokenizer,
                lowercase, minCount, maxVocab, window, stride, objective, stateful);
    }

    private static String absolute(String file) {
        if (file.equals("-") || URI_SCHEME.matcher(file).lookingAt()) {
            return file; // stdin, or a URI a cluster reads (hdfs://..., file:/...): absolute already
        }
        return Path.of(file).toAbsolutePath().normalize().toString();
    }

    /** A scheme of two or more letters then ':' (one letter would be a Windows drive). */
    private static final Pattern URI_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:");

    public boolean hasValidation() {
        return validFile != null || validationSplit > 0;
    }

    public TokenizerSpec tokenizerSpec() {
        return TokenizerSpec.parse(tokenizer, lowercase);
    }

    public VocabularyLimits vocabularyLimits() {
        return new VocabularyLimits(minCount, maxVocab == 0 ? Integer.MAX_VALUE : maxVocab);
    }
}
