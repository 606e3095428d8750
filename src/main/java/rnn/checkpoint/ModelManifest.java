package rnn.checkpoint;

import java.util.List;

import rnn.engine.ModelConfig;
import rnn.train.EpochResult;
import rnn.train.TrainConfig;

/**
 * model.json: everything needed to rebuild and use a model without its corpus, and where it came
 * from (Tribuo-style provenance). Weights and vocabulary live in their own files beside it.
 */
public record ModelManifest(int format, ModelConfig architecture, TrainConfig training, VocabularyInfo vocabulary,
                            CorpusInfo corpus, Progress progress, Provenance provenance) {
    /** The format this version writes and the newest it reads. */
    public static final int FORMAT = 1;

    public record VocabularyInfo(String file, int size, String sha256) {
    }

    public record CorpusInfo(String name, long tokens, long trainTokens, long validationTokens, String sha256) {
    }

    public record Progress(int epochsCompleted, long steps, Integer bestEpoch, Double bestValidationLoss,
                           List<EpochResult> history) {
        public Progress {
            history = history == null ? List.of() : List.copyOf(history);
        }
    }

    public record Provenance(String rnn, String created, String java, String os, String arch, String backend) {
        public static Provenance current(String created) {
            String version = ModelManifest.class.getPackage().getImplementationVersion();
            return new Provenance(version == null ? "development" : version, created,
                    System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.version"),
                    System.getProperty("os.arch"), "nd4j-native 1.0.0-M2.1 (CPU)");
        }
    }

    public ModelManifest withProgress(Progress newProgress) {
        return new ModelManifest(format, architecture, training, vocabulary, corpus, newProgress, provenance);
    }
}
