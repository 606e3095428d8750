package rnn.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import rnn.RnnException;
import rnn.InvalidConfigException;
import rnn.text.Corpus;
import rnn.text.Split;
import rnn.text.TextSource;
import rnn.text.TokenCache;
import rnn.text.TokenIds;
import rnn.text.TokenSpan;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;

/** Encoded training text and optional validation text, with the vocabulary built from the training text. */
public record TrainingData(Vocabulary vocabulary, TokenSpan train, TokenSpan validation,
                           Checkpointer.CorpusSummary summary) {

    /**
     * Reads and encodes the corpus (and --valid file) of a fresh run: the vocabulary comes from the
     * training text only. Files go through the model directory's encoded-token cache; stdin or a
     * FIFO, which cannot be fingerprinted or read twice, is encoded in memory.
     */
    public static TrainingData load(TrainConfig config) {
        TokenizerSpec tokenizer = config.data().tokenizerSpec();
        List<Path> files = cacheableFiles(config);
        if (files == null) {
            Corpus corpus = Corpus.read(source(config), tokenizer.tokenizer(), config.data().vocabularyLimits());
            return split(config, corpus.name(), corpus.vocabulary(), TokenIds.of(corpus.ids()), corpus.sha256());
        }
        TokenCache.Encoded encoded = cache(config).build(files, source(config), tokenizer, config.data().vocabularyLimits());
        return split(config, encoded.name(), encoded.vocabulary(), encoded.ids(), encoded.sha256());
    }

    /** Re-reads the corpus of a resumed or fine-tuned run with the vocabulary saved with the model (through the cache, as {@link #load}). */
    public static TrainingData reload(TrainConfig config, Vocabulary vocabulary) {
        TokenizerSpec tokenizer = config.data().tokenizerSpec();
        List<Path> files = cacheableFiles(config);
        if (files == null) {
            Corpus corpus = Corpus.read(source(config), tokenizer.tokenizer(), vocabulary);
            return split(config, corpus.name(), corpus.vocabulary(), TokenIds.of(corpus.ids()), corpus.sha256());
        }
        TokenCache.Encoded encoded = cache(config).encode(files, source(config), tokenizer, vocabulary);
        return split(config, encoded.name(), encoded.vocabulary(), encoded.ids(), encoded.sha256());
    }

    private static TrainingData split(TrainConfig config, String name, Vocabulary vocabulary, TokenIds ids, String sha256) {
        TokenSpan train = TokenSpan.of(ids);
        TokenSpan validation = null;
        if (config.data().validFile() != null) {
            validation = Corpus.read(TextSource.of(config.data().validFile()), config.data().tokenizerSpec().tokenizer(),
                    vocabulary).all();
        } else if (config.data().validationSplit() > 0) {
            Split split = Split.lastFraction(ids, config.data().validationSplit());
            train = split.train();
            validation = split.validation();
        }
        Checkpointer.CorpusSummary summary = new Checkpointer.CorpusSummary(name, ids.size(),
                train.length(), validation == null ? 0 : validation.length(), sha256);
        return new TrainingData(vocabulary, train, validation, summary);
    }

    /** The model directory's tokens.cache. */
    private static TokenCache cache(TrainConfig config) {
        return new TokenCache(Path.of(config.run().output()).resolve(TokenCache.FILE_NAME));
    }

    /** The corpus files when every one is a regular file (so it can be fingerprinted and read twice), else null. */
    private static List<Path> cacheableFiles(TrainConfig config) {
        List<Path> files = new ArrayList<>();
        for (String corpus : config.data().corpora()) {
            if (corpus.equals(TextSource.STDIN) || !Files.isRegularFile(Path.of(corpus))) {
                return null;
            }
            files.add(Path.of(corpus));
        }
        return files;
    }

    /**
     * The training text: one file or stdin, or several files read one after another as if
     * concatenated (each ending its last line), so the vocabulary and fingerprint cover them all.
     */
    private static TextSource source(TrainConfig config) {
        List<String> corpora = config.data().corpora();
        if (corpora.size() == 1) {
            return TextSource.of(corpora.get(0));
        }
        if (corpora.contains(TextSource.STDIN)) {
            throw new InvalidConfigException("- (stdin) cannot be combined with other CORPUS files");
        }
        for (String corpus : corpora) {
            Path path = Path.of(corpus);
            if (Files.isDirectory(path) || !Files.exists(path) || !Files.isReadable(path)) {
                throw new RnnException(corpus + ": " + (Files.isDirectory(path) ? "is a directory, not a text file"
                        : "no such readable file"));
            }
        }
        return TextSource.concat(corpora);
    }
}
