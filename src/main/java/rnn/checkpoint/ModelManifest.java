package rnn.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import rnn.engine.ModelConfig;
import rnn.train.DataConfig;
import rnn.train.EpochResult;
import rnn.train.NetworkConfig;
import rnn.train.OptimizationConfig;

/**
 * model.json: everything needed to rebuild and use a model without its corpus, and where it came
 * from (Tribuo-style provenance): the data, network and optimization settings of the run (not its
 * run options such as threads or output), the vocabulary and corpus fingerprints, progress and
 * provenance. Written with snake_case names; format 1 files (camelCase, one flat "training"
 * object) are read through {@link LegacyManifest}. Weights and vocabulary live beside it.
 */
public record ModelManifest(int format, DataConfig data, NetworkConfig network, OptimizationConfig optimization,
                            VocabularyInfo vocabulary, CorpusInfo corpus, Progress progress, Provenance provenance,
                            List<Session> sessions) {
    /** The format this version writes and the newest it reads. */
    public static final int FORMAT = 2;

    public ModelManifest {
        sessions = sessions == null ? List.of() : List.copyOf(sessions);
    }

    /**
     * One invocation that trained this model: {@code kind} is train, resume or fine-tune; it
     * started at {@code epoch} (1-based) after {@code step} steps; {@code changes} are the options
     * a resume changed (name without dashes, new value); {@code parent} is the model a fine-tune
     * started from.
     */
    public record Session(String kind, String started, int epoch, long step, Map<String, String> changes,
                          Parent parent) {
        public Session {
            changes = changes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(changes));
        }
    }

    /** The model a fine-tuned model started from: its directory, weights' SHA-256 and training text. */
    public record Parent(String directory, String weightsSha256, String corpus) {
    }

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

    /** The engine's architecture: the network with the vocabulary's size. */
    public ModelConfig architecture() {
        return network.architecture(vocabulary.size());
    }

    public ModelManifest withProgress(Progress newProgress) {
        return new ModelManifest(format, data, network, optimization, vocabulary, corpus, newProgress, provenance,
                sessions);
    }

    /** The manifest of a resumed run: its possibly changed optimization, and the session appended. */
    public ModelManifest resumed(OptimizationConfig newOptimization, Session session) {
        List<Session> all = new ArrayList<>(sessions);
        all.add(session);
        return new ModelManifest(FORMAT, data, network, newOptimization, vocabulary, corpus, progress, provenance, all);
    }
}
