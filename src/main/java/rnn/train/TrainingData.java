package rnn.train;

import rnn.InvalidConfigException;
import rnn.text.Corpus;
import rnn.text.Split;
import rnn.text.TextSource;
import rnn.text.TokenSpan;
import rnn.text.Tokenizer;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;
import rnn.text.VocabularyLimits;

/** Encoded training text and optional validation text, with the vocabulary built from the training text. */
public record TrainingData(Vocabulary vocabulary, TokenSpan train, TokenSpan validation,
                           Checkpointer.CorpusSummary summary) {

    /** Reads and encodes the corpus (and --valid file) of a fresh run: the vocabulary comes from the training text only. */
    public static TrainingData load(TrainConfig config) {
        Tokenizer tokenizer = tokenizer(config);
        Corpus corpus = Corpus.read(source(config), tokenizer, new VocabularyLimits(config.minCount(), config.maxVocab()));
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
        if (config.validFile() != null) {
            validation = Corpus.read(TextSource.of(config.validFile()), tokenizer, corpus.vocabulary()).all();
        } else if (config.validationSplit() > 0) {
            Split split = corpus.split(config.validationSplit());
            train = split.train();
            validation = split.validation();
        }
        Checkpointer.CorpusSummary summary = new Checkpointer.CorpusSummary(corpus.name(), corpus.size(),
                train.length(), validation == null ? 0 : validation.length(), corpus.sha256());
        return new TrainingData(corpus.vocabulary(), train, validation, summary);
    }

    private static Tokenizer tokenizer(TrainConfig config) {
        return TokenizerSpec.parse(config.tokenizer(), config.lowercase()).tokenizer();
    }

    private static TextSource source(TrainConfig config) {
        if (config.corpora().size() > 1) {
            throw new InvalidConfigException("one CORPUS per run for now; concatenate files first (cat a.txt b.txt | rnn train -)");
        }
        return TextSource.of(config.corpora().get(0));
    }
}
