package rnn.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import rnn.RnnException;
import rnn.InvalidConfigException;
import rnn.text.Corpus;
import rnn.text.Split;
import rnn.text.TextSource;
import rnn.text.TokenSpan;
import rnn.text.Tokenizer;
import rnn.text.Vocabulary;

/** Encoded training text and optional validation text, with the vocabulary built from the training text. */
public record TrainingData(Vocabulary vocabulary, TokenSpan train, TokenSpan validation,
                           Checkpointer.CorpusSummary summary) {

    /** Reads and encodes the corpus (and --valid file) of a fresh run: the vocabulary comes from the training text only. */
    public static TrainingData load(TrainConfig config) {
        Tokenizer tokenizer = tokenizer(config);
        Corpus corpus = Corpus.read(source(config), tokenizer, config.data().vocabularyLimits());
        return split(config, corpus, tokenizer);
    }

    /** Re-reads the corpus of a resumed run with the vocabulary saved with the model. */
    public static TrainingData reload(TrainConfig config, Vocabulary vocabulary) {
        Tokenizer tokenizer = tokenizer(config);
        Corpus corpus = Corpus.read(source(config), tokenizer, vocabulary);
        return split(config, corpus, tokenizer);
    }

    private static TrainingData split(TrainConfig config, Corpus corpus, Tokenizer tokenizer) {
        TokenSpan train = corpus.all();
        TokenSpan validation = null;
        if (config.data().validFile() != null) {
            validation = Corpus.read(TextSource.of(config.data().validFile()), tokenizer, corpus.vocabulary()).all();
        } else if (config.data().validationSplit() > 0) {
            Split split = corpus.split(config.data().validationSplit());
            train = split.train();
            validation = split.validation();
        }
        Checkpointer.CorpusSummary summary = new Checkpointer.CorpusSummary(corpus.name(), corpus.size(),
                train.length(), validation == null ? 0 : validation.length(), corpus.sha256());
        return new TrainingData(corpus.vocabulary(), train, validation, summary);
    }

    private static Tokenizer tokenizer(TrainConfig config) {
        return config.data().tokenizerSpec().tokenizer();
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
