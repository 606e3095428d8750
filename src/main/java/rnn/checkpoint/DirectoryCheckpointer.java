package rnn.checkpoint;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.core.JsonProcessingException;

import rnn.engine.ParameterShapes;
import rnn.engine.LanguageModel;
import rnn.text.Vocabulary;
import rnn.train.Checkpointer;
import rnn.train.Progress;
import rnn.train.TrainConfig;

/**
 * Saves a run into a model directory (see {@link ModelStore}). Order matters for crash safety:
 * the best weights, then the resume file, then model.json and history.json that describe them,
 * each file atomically, so the directory loads after a kill at any moment and model.json is never
 * ahead of the files it describes.
 */
public final class DirectoryCheckpointer implements Checkpointer {
    static final String OPTIMIZER_PREFIX = "optimizer/";
    static final String PROGRESS_KEY = "rnn.progress";

    private static final Logger LOG = LogManager.getLogger(DirectoryCheckpointer.class);

    private final Path directory;
    /** The model a fine-tuning run started from, or null. */
    private final ModelManifest.Parent parent;
    private ModelManifest manifest;

    public DirectoryCheckpointer(Path directory) {
        this(directory, null);
    }

    /** Saves a run that starts from the weights of {@code parent} (null for a run from scratch). */
    public DirectoryCheckpointer(Path directory, ModelManifest.Parent parent) {
        this.directory = directory;
        this.parent = parent;
    }

    /** Continues writing into a directory that already holds a run (resume). */
    public static DirectoryCheckpointer reopen(Path directory, ModelManifest manifest) {
        DirectoryCheckpointer checkpointer = new DirectoryCheckpointer(directory);
        checkpointer.manifest = manifest;
        return checkpointer;
    }

    @Override
    public void begin(TrainConfig config, Vocabulary vocabulary, LanguageModel model, CorpusSummary corpus) {
        // Replacing a model (--force): retire its description first, so that until the first save
        // completes the directory holds no model rather than an old model.json beside new files.
        AtomicFiles.delete(directory.resolve(ModelStore.MANIFEST));
        ModelStore.writeVocabulary(directory, vocabulary);
        manifest = new ModelManifest(ModelManifest.FORMAT, config.data(), config.network(), config.optimization(),
                new ModelManifest.VocabularyInfo(ModelStore.VOCABULARY, vocabulary.size(), vocabulary.fingerprint()),
                new ModelManifest.CorpusInfo(corpus.name(), corpus.tokens(), corpus.trainTokens(),
                        corpus.validationTokens(), corpus.sha256()),
                new ModelManifest.Progress(0, 0, null, null, null),
                ModelManifest.Provenance.current(Instant.now().toString()),
                List.of(new ModelManifest.Session(parent == null ? "train" : "fine-tune", Instant.now().toString(), 1, 0,
                        Map.of(), parent)));
        // The untrained weights first, so the directory is a loadable model from the start.
        save(model, Map.of(), Map.of(), Progress.start(config.optimization().lr()), true);
    }

    @Override
    public Path save(LanguageModel model, Map<String, INDArray> optimizerState, Map<String, INDArray> recurrentState,
                     Progress progress, boolean improved) {
        Map<String, INDArray> tensors = new LinkedHashMap<>(model.parameters().values());
        optimizerState.forEach((name, value) -> tensors.put(OPTIMIZER_PREFIX + name, value));
        tensors.putAll(recurrentState);
        // The best weights before the resume file: once last.safetensors records a new best epoch,
        // model.safetensors must already hold it, or a failure in between would leave the resumed
        // run believing it had saved weights that are not there. The other way round, a failure
        // leaves the resume file one save behind, and resuming redoes that save exactly.
        if (improved) {
            Map<String, String> weightsMetadata = new LinkedHashMap<>();
            weightsMetadata.put("rnn.architecture", Json.toJson(model.config()));
            weightsMetadata.put("rnn.epoch", Integer.toString(progress.epochsCompleted()));
            ModelStore.writeWeights(directory.resolve(ModelStore.WEIGHTS), model, weightsMetadata);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(PROGRESS_KEY, Json.toJson(progress));
        Path resume = directory.resolve(ModelStore.RESUME);
        SafetensorsWriter.write(resume, tensors, metadata);
        ModelManifest.Progress summary = new ModelManifest.Progress(progress.epochsCompleted(), progress.step(),
                progress.bestEpoch(), progress.bestValidationLoss(), progress.history());
        manifest = manifest.withProgress(summary);
        ModelStore.writeManifest(directory, manifest);
        AtomicFiles.writeString(directory.resolve(ModelStore.HISTORY), Json.toPrettyJson(progress.history()));
        if (progress.nextBatch() == 0 && !progress.history().isEmpty()) {
            writePlot(progress);
        }
        return resume;
    }

    /**
     * The plot is a convenience written after everything that matters: a failure (for instance AWT
     * refusing to start while the JVM shuts down on Ctrl-C) is logged, not fatal.
     */
    private void writePlot(Progress progress) {
        try {
            LossPlot.write(directory.resolve(ModelStore.PLOT), progress.history());
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("{}: loss plot not written: {}", directory.resolve(ModelStore.PLOT), e.toString());
        }
    }

    /** What --resume needs, read back from last.safetensors. */
    public record ResumeState(LanguageModel model, Map<String, INDArray> optimizerState,
                              Map<String, INDArray> recurrentState, Progress progress) {
    }

    public static ResumeState readResume(Path directory, ModelManifest manifest) {
        Path file = directory.resolve(ModelStore.RESUME);
        TensorFile stored = SafetensorsReader.read(file);
        String progressJson = stored.metadata().get(PROGRESS_KEY);
        if (progressJson == null) {
            throw new CheckpointFormatException(file + ": has no training progress; it cannot be resumed");
        }
        Progress progress;
        try {
            progress = Json.mapper().readValue(progressJson, Progress.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new CheckpointFormatException(file + ": unreadable training progress");
        }
        Map<String, INDArray> optimizer = new LinkedHashMap<>();
        Map<String, INDArray> recurrent = new LinkedHashMap<>();
        Map<String, INDArray> weights = new LinkedHashMap<>();
        Map<String, long[]> expected = ParameterShapes.of(manifest.architecture());
        stored.tensors().forEach((name, value) -> {
            if (name.startsWith(OPTIMIZER_PREFIX)) {
                optimizer.put(name.substring(OPTIMIZER_PREFIX.length()), value);
            } else if (name.startsWith("state.")) {
                recurrent.put(name, value);
            } else if (expected.containsKey(name)) {
                weights.put(name, value);
            } else {
                throw new CheckpointFormatException(file + ": unexpected tensor '" + name + "'");
            }
        });
        LanguageModel model = ModelStore.buildModel(file, manifest, weights);
        return new ResumeState(model, optimizer, recurrent, progress);
    }
}
