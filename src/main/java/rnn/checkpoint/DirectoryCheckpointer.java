package rnn.checkpoint;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.core.JsonProcessingException;

import rnn.RnnException;
import rnn.engine.ParameterShapes;
import rnn.engine.Parameters;
import rnn.engine.optim.Optimizers;
import rnn.engine.LanguageModel;
import rnn.text.Vocabulary;
import rnn.train.Checkpointer;
import rnn.train.EpochResult;
import rnn.train.OptimizationConfig;
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
        requireFinite(model); // before retiring a model that --force replaces
        // Replacing a model (--force): retire its description first, so that until the first save
        // completes the directory holds no model rather than an old model.json beside new files.
        AtomicFiles.delete(directory.resolve(ModelStore.MANIFEST));
        ModelStore.writeVocabulary(directory, vocabulary);
        manifest = new ModelManifest(ModelManifest.FORMAT, config.data().withAbsolutePaths(), config.network(),
                config.optimization(),
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
        requireFinite(model);
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
        ManifestFiles.write(directory, manifest);
        ManifestFiles.writeHistory(directory, progress.history());
        if (progress.nextBatch() == 0 && !progress.history().isEmpty()) {
            writePlot(progress);
        }
        return resume;
    }

    /**
     * Every save checks, the first (untrained) one included: NaN weights saved once would be loaded
     * and used (NaN probabilities, exit 0) by every later command.
     */
    private void requireFinite(LanguageModel model) {
        if (model.parameters().hasNonFinite()) {
            throw new RnnException(directory + ": the weights are NaN or infinite; not saved (the last checkpoint"
                    + " is intact); try a lower --lr, --clip or --init-scale");
        }
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

    /**
     * Reads last.safetensors and checks every field as the model loader checks model.json: its
     * digests detect damage, not edits, so a hand-edited step count, learning rate, epoch or
     * optimizer tensor must be refused here (one line naming the file) rather than crash the
     * optimizer or train nonsense.
     */
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
        if (progress == null) {
            throw new CheckpointFormatException(file + ": unreadable training progress");
        }
        checkProgress(file, progress);
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
        checkOptimizerState(file, manifest.optimization(), expected, optimizer);
        boolean carriesState = manifest.data().stateful() && progress.nextBatch() > 0;
        checkTensors(file, "state.", carriesState ? model.newState(manifest.optimization().batchSize()).tensors()
                : Map.of(), recurrent,
                carriesState ? "a stream model stopped mid-epoch" : "a checkpoint at an epoch boundary or of a window model");
        return new ResumeState(model, optimizer, recurrent, progress);
    }

    private static void checkProgress(Path file, Progress p) {
        List<String> problems = new ArrayList<>();
        int completed = p.history().size();
        if (p.epoch() != completed + 1) {
            problems.add("epoch " + p.epoch() + " does not follow the " + completed + " completed");
        }
        if (p.nextBatch() < 0) {
            problems.add("next batch " + p.nextBatch() + " is negative");
        }
        if (p.step() < 0) {
            problems.add("step " + p.step() + " is negative");
        }
        if (!(p.learningRate() > 0 && Float.isFinite((float) p.learningRate()))) {
            problems.add("learning rate " + p.learningRate() + " is not a positive finite number");
        }
        // Without validation text the best epoch is the latest, with no loss.
        if (p.bestEpoch() == null && p.bestValidationLoss() != null
                || p.bestEpoch() != null && (p.bestEpoch() < 1 || p.bestEpoch() > completed)
                || p.bestValidationLoss() != null && !Double.isFinite(p.bestValidationLoss())) {
            problems.add("best epoch " + p.bestEpoch() + " with loss " + p.bestValidationLoss() + " is not one of the "
                    + completed + " completed");
        }
        if (p.epochsWithoutImprovement() < 0 || p.epochsWithoutImprovement() > completed) {
            problems.add(p.epochsWithoutImprovement() + " epochs without improvement of " + completed);
        }
        if (!(p.epochLossSum() >= 0 && Double.isFinite(p.epochLossSum())) || p.epochPredictions() < 0 || p.epochTokens() < 0
                || !(p.epochSeconds() >= 0 && Double.isFinite(p.epochSeconds()))
                || p.nextBatch() == 0 && (p.epochLossSum() != 0 || p.epochPredictions() != 0 || p.epochTokens() != 0
                || p.epochSeconds() != 0)) {
            problems.add("the epoch's running sums (" + p.epochLossSum() + ", " + p.epochPredictions() + ", "
                    + p.epochTokens() + ", " + p.epochSeconds() + " s) do not fit batch " + p.nextBatch());
        }
        for (int i = 0; i < completed; i++) {
            EpochResult epoch = p.history().get(i);
            if (epoch == null || epoch.epoch() != i + 1 || !Double.isFinite(epoch.trainLoss())
                    || epoch.validationLoss() != null && !Double.isFinite(epoch.validationLoss())) {
                problems.add("history entry " + (i + 1) + " is not epoch " + (i + 1) + " with finite losses");
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointFormatException(file + ": training progress does not add up: "
                    + String.join("; ", problems));
        }
    }

    /** The optimizer's own checks (step count, buffer pairs), then names and shapes against the model's parameters. */
    private static void checkOptimizerState(Path file, OptimizationConfig config, Map<String, long[]> parameters,
                                            Map<String, INDArray> state) {
        if (state.isEmpty()) {
            return; // the first save of a run, before any step: a fresh optimizer, as on resume
        }
        try {
            Optimizers.create(config.optimizer(), config.momentum()).loadState(state);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(file + ": " + e.getMessage());
        }
        String prefix = config.optimizer().toLowerCase(java.util.Locale.ROOT) + ".";
        state.forEach((name, value) -> {
            if (name.equals(prefix + "t")) {
                return;
            }
            String parameter = parameters.keySet().stream().filter(p -> name.endsWith("." + p)).findFirst().orElse(null);
            if (parameter == null || !name.startsWith(prefix)) {
                throw new CheckpointFormatException(file + ": unexpected optimizer tensor '" + OPTIMIZER_PREFIX + name + "'");
            }
            if (!Arrays.equals(value.shape(), parameters.get(parameter))) {
                throw new CheckpointFormatException(file + ": optimizer tensor '" + OPTIMIZER_PREFIX + name + "' has shape "
                        + Arrays.toString(value.shape()) + ", the parameter " + Arrays.toString(parameters.get(parameter)));
            }
            if (!Parameters.allFinite(value)) {
                throw new CheckpointFormatException(file + ": optimizer tensor '" + OPTIMIZER_PREFIX + name
                        + "' holds NaN or infinite values");
            }
        });
    }

    /** Exactly the {@code expected} tensors (names and shapes), all finite. */
    private static void checkTensors(Path file, String kind, Map<String, INDArray> expected, Map<String, INDArray> stored,
                                     String situation) {
        for (Map.Entry<String, INDArray> entry : expected.entrySet()) {
            INDArray value = stored.get(entry.getKey());
            if (value == null || !Arrays.equals(value.shape(), entry.getValue().shape())) {
                throw new CheckpointFormatException(file + ": " + situation + " needs tensor '" + entry.getKey()
                        + "' of shape " + Arrays.toString(entry.getValue().shape())
                        + (value == null ? "; it is missing" : ", got " + Arrays.toString(value.shape())));
            }
            if (!Parameters.allFinite(value)) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' holds NaN or infinite values");
            }
        }
        for (String name : stored.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointFormatException(file + ": unexpected tensor '" + name + "' (" + kind + "*) for "
                        + situation);
            }
        }
    }
}
