package rnn.checkpoint;

import java.util.List;

import rnn.engine.CellType;
import rnn.engine.ModelConfig;
import rnn.engine.Objective;
import rnn.engine.loss.Loss;
import rnn.train.DataConfig;
import rnn.train.NetworkConfig;
import rnn.train.OptimizationConfig;

/**
 * model.json as rnn wrote it before format 2: camelCase names, the architecture spelled out and
 * every option of the run in one flat "training" object. Read only, and turned into the current
 * {@link ModelManifest}; the run options it stored (threads, output, ...) are dropped.
 */
record LegacyManifest(int format, ModelConfig architecture, Training training,
                      ModelManifest.VocabularyInfo vocabulary, ModelManifest.CorpusInfo corpus,
                      ModelManifest.Progress progress, ModelManifest.Provenance provenance) {

    /** The flat training options of format 1. */
    record Training(List<String> corpora, String validFile, double validationSplit,
                    String tokenizer, boolean lowercase, int minCount, int maxVocab,
                    int window, int stride, Objective objective, boolean stateful,
                    CellType cell, int layers, int hidden, int embedding, double dropout, boolean tied,
                    String init, double initScale, double forgetBias,
                    int epochs, int batchSize, boolean shuffle,
                    String optimizer, double lr, double momentum, double lrDecay, int decayAfter,
                    boolean decayOnPlateau, double clip, Loss loss, int patience, long seed) {
    }

    ModelManifest upgrade() {
        if (architecture == null || training == null || vocabulary == null) {
            throw new CheckpointFormatException("incomplete model description");
        }
        Training t = training;
        DataConfig data = new DataConfig(t.corpora() == null ? List.of() : t.corpora(), t.validFile(),
                t.validationSplit(), t.tokenizer(), t.lowercase(), t.minCount(), t.maxVocab(), t.window(), t.stride(),
                t.objective(), t.stateful());
        NetworkConfig network = new NetworkConfig(t.cell(), t.layers(), t.hidden(), t.embedding(), t.dropout(),
                t.tied(), t.init(), t.initScale(), t.forgetBias());
        // Format 1 accepted patience and decay on plateau without validation data, where they did
        // nothing; format 2 refuses them, so they are dropped here as the run had them.
        boolean validated = data.hasValidation();
        OptimizationConfig optimization = new OptimizationConfig(t.loss(), t.optimizer(), t.lr(), t.momentum(),
                t.lrDecay(), t.decayAfter(), t.decayOnPlateau() && validated && t.lrDecay() < 1, t.clip(), t.epochs(),
                t.batchSize(), t.shuffle(), validated ? t.patience() : 0, t.seed());
        if (!architecture.equals(network.architecture(vocabulary.size()))) {
            throw new CheckpointFormatException("its architecture does not match its training options");
        }
        return new ModelManifest(ModelManifest.FORMAT, data, network, optimization, vocabulary, corpus, progress,
                provenance, List.of());
    }
}
