package rnn.workflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import rnn.CancelledException;
import rnn.InvalidConfigException;
import rnn.RnnException;
import rnn.checkpoint.DirectoryCheckpointer;
import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.DirectoryLock;
import rnn.checkpoint.LatestModel;
import rnn.checkpoint.ModelStore;
import rnn.engine.kernel.EngineThreads;
import rnn.text.Vocabulary;
import rnn.train.DataConfig;
import rnn.train.EpochResult;
import rnn.train.OptimizationConfig;
import rnn.train.Progress;
import rnn.train.ResumeChanges;
import rnn.train.RunConfig;
import rnn.train.TrainConfig;
import rnn.train.Trainer;
import rnn.train.TrainingData;
import rnn.train.TrainingListener;

/** Starts or resumes a training run in a model directory: the one entry point `rnn train` calls. */
public final class Training {
    private Training() {
    }

    /** How a run ended. */
    public record Result(Path directory, List<EpochResult> history) {
        public String describe() {
            return describeAs(directory.toString());
        }

        /** The summary line, naming the model directory as {@code location} (a URI for a remote one). */
        public String describeAs(String location) {
            EpochResult best = null;
            for (EpochResult r : history) {
                if (r.validationLoss() != null && (best == null || r.validationLoss() < best.validationLoss())) {
                    best = r;
                }
            }
            String summary = best == null ? "" : String.format(Locale.ROOT, "; best validation loss %.4f%s at epoch %d",
                    best.validationLoss(), ModelSummary.validationFigures(best.validationPerplexity(),
                            best.validationAccuracy(), best.validationTop5Accuracy()), best.epoch());
            return "saved " + location + summary;
        }
    }

    public static Result start(TrainConfig config, boolean force, TrainingListener listener, BooleanSupplier cancelled) {
        Path directory = Path.of(config.run().output());
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            if (!force && Files.exists(directory.resolve(ModelStore.MANIFEST))) {
                throw new RnnException(directory + ": already holds a model; continue it with --resume "
                        + directory + ", replace it with --force, or choose another --output");
            }
            TrainingData data = TrainingData.load(config); // before ND4J starts: Ctrl-C while reading stdin ends the read
            applyThreads(config);
            Trainer trainer = Trainer.start(config, data, new DirectoryCheckpointer(directory), listener, cancelled);
            LatestModel.mark(LatestModel.MODELS_ROOT, directory);
            return new Result(directory, run(trainer, directory));
        }
    }

    /**
     * Fine-tunes the model in {@code parent} on this run's text: its weights, network, vocabulary and
     * tokenizer, with this run's other data settings and optimization, fresh optimizer state and
     * progress, into {@code config}'s output directory (never the parent's). Words the parent's
     * vocabulary lacks are read as {@code <unk>}; model.json names the parent and its weights' SHA-256.
     */
    public static Result fineTune(TrainConfig config, Path parent, boolean force, TrainingListener listener,
                                  BooleanSupplier cancelled) {
        ModelManifest parentManifest = ManifestFiles.read(parent); // a usable parent before anything else
        Path parentDirectory = realDirectoryOf(parent);
        Path directory = Path.of(config.run().output());
        if (Files.exists(directory) && sameFile(directory, parentDirectory)) {
            throw new InvalidConfigException("--output " + directory + " is the --init-from model itself; fine-tuning"
                    + " writes a new model (to continue that run, use --resume " + parent + ")");
        }
        TrainConfig tuned = new TrainConfig(inheritVocabulary(config.data(), parentManifest.data()),
                parentManifest.network(), config.optimization(), config.run());
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            if (!force && Files.exists(directory.resolve(ModelStore.MANIFEST))) {
                throw new RnnException(directory + ": already holds a model; replace it with --force, or choose"
                        + " another --output");
            }
            ModelStore.LoadedModel base = ModelStore.load(parentDirectory);
            applyThreads(tuned);
            TrainingData data = TrainingData.reload(tuned, base.vocabulary());
            listener.onNotice("fine-tuning " + parent + " (its network, and its vocabulary of "
                    + base.vocabulary().size() + " tokens: words new to it are read as <unk>)");
            ModelManifest.Parent origin = new ModelManifest.Parent(
                    parentDirectory.toAbsolutePath().normalize().toString(), ModelStore.weightsSha256(parentDirectory),
                    parentManifest.corpus().name());
            Trainer trainer = Trainer.startFrom(tuned, data, base.model(), new DirectoryCheckpointer(directory, origin),
                    listener, cancelled);
            LatestModel.mark(LatestModel.MODELS_ROOT, directory);
            return new Result(directory, run(trainer, directory));
        }
    }

    /** This run's text, validation and sequences with the parent's tokenizer and vocabulary settings. */
    private static DataConfig inheritVocabulary(DataConfig run, DataConfig parent) {
        return new DataConfig(run.corpora(), run.validFile(), run.validationSplit(), parent.tokenizer(),
                parent.lowercase(), parent.minCount(), parent.maxVocab(), run.window(), run.stride(), run.objective(),
                run.stateful());
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Continues a saved run exactly where it stopped, with the allowed {@code changes} to its
     * optimization applied (reported through the listener and recorded in model.json's sessions)
     * and this invocation's run options.
     */
    public static Result resume(Path given, ResumeChanges changes, RunConfig run, TrainingListener listener,
                                BooleanSupplier cancelled) {
        ManifestFiles.read(given); // refuse a non-model directory before locking (which creates it)
        // --resume models/latest means the model it points to: continue there, and point latest at it.
        Path directory = realDirectoryOf(given);
        try (DirectoryLock lock = DirectoryLock.acquire(directory)) {
            ResumePoint point = resumePoint(directory, changes, run, listener);
            TrainConfig config = point.config();
            applyThreads(config);
            TrainingData data = TrainingData.reload(config, point.vocabulary());
            if (!data.summary().sha256().equals(point.corpusSha256())) {
                throw new RnnException(config.data().corpora().get(0) + ": differs from the text this run started on ("
                        + point.corpusName() + "); resuming needs the same text");
            }
            DirectoryCheckpointer.ResumeState state = point.state();
            Trainer trainer = Trainer.resume(config, data, state.model(), state.optimizerState(),
                    state.recurrentState(), point.progress(), point.checkpointer(), listener, cancelled);
            LatestModel.mark(LatestModel.MODELS_ROOT, directory);
            return new Result(directory, run(trainer, directory));
        }
    }

    /**
     * A saved run read back to be continued (on one machine or a cluster): its configuration with
     * the allowed {@code changes} applied and this invocation's {@code run} options, its
     * vocabulary, saved state and progress, and the checkpointer that continues its directory.
     */
    public record ResumePoint(TrainConfig config, Vocabulary vocabulary, DirectoryCheckpointer.ResumeState state,
                              Progress progress, DirectoryCheckpointer checkpointer, String corpusName,
                              String corpusSha256) {
    }

    /**
     * Reads the run saved in {@code directory} (locked by the caller), applies {@code changes}
     * (reported through the listener and recorded in model.json's sessions) and {@code run}.
     */
    public static ResumePoint resumePoint(Path directory, ResumeChanges changes, RunConfig run,
                                          TrainingListener listener) {
        ModelManifest manifest = ManifestFiles.read(directory);
        OptimizationConfig optimization = changes.applyTo(manifest.optimization());
        TrainConfig config = new TrainConfig(manifest.data(), manifest.network(), optimization,
                run.withOutput(directory.toString()));
        DirectoryCheckpointer.ResumeState state = DirectoryCheckpointer.readResume(directory, manifest);
        Progress progress = state.progress();
        if (changes.epochs() != null && changes.epochs() < progress.epochsCompleted()) {
            throw new InvalidConfigException("--epochs " + changes.epochs() + " is fewer than the "
                    + progress.epochsCompleted() + " epochs " + directory + " has already completed");
        }
        if (changes.lr() != null) {
            progress = progress.withLearningRate(changes.lr());
        }
        Vocabulary vocabulary = ModelStore.readVocabulary(directory, manifest);
        Map<String, String> changed = changes.asOptions();
        if (!changed.isEmpty()) {
            listener.onNotice("resuming with " + describe(changed, manifest.optimization(),
                    state.progress().learningRate()));
        }
        ModelManifest.Session session = new ModelManifest.Session("resume", Instant.now().toString(),
                progress.epoch(), progress.step(), changed, null);
        return new ResumePoint(config, vocabulary, state, progress,
                DirectoryCheckpointer.reopen(directory, manifest.resumed(optimization, session)),
                manifest.corpus().name(), manifest.corpus().sha256());
    }

    /** The model directory itself when {@code directory} is a link to it (models/latest). */
    public static Path realDirectoryOf(Path directory) {
        if (!Files.isSymbolicLink(directory)) {
            return directory;
        }
        try {
            return directory.toRealPath();
        } catch (java.io.IOException e) {
            throw new RnnException(directory + ": cannot resolve the link: " + e.getMessage());
        }
    }

    /** "--lr 5 (was 0.003), --epochs 4 (was 2)". */
    private static String describe(Map<String, String> changed, OptimizationConfig saved, double learningRate) {
        Map<String, Object> before = Map.of("epochs", saved.epochs(), "lr", learningRate, "lr-decay", saved.lrDecay(),
                "decay-after", saved.decayAfter(), "decay-on-plateau", saved.decayOnPlateau(),
                "patience", saved.patience());
        List<String> parts = new ArrayList<>();
        changed.forEach((option, value) -> parts.add("--" + option + " " + value + " (was " + before.get(option) + ")"));
        return String.join(", ", parts);
    }

    private static List<EpochResult> run(Trainer trainer, Path directory) {
        try {
            return trainer.run();
        } catch (CancelledException e) {
            throw new CancelledException(e.getMessage() + "; continue with: rnn train --resume " + directory);
        }
    }

    /** --threads: the engine's threads for matrix products and the softmax (0 = one per core). */
    private static void applyThreads(TrainConfig config) {
        EngineThreads.configure(config.run().threads());
    }
}
