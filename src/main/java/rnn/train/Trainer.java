package rnn.train;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.CancelledException;
import rnn.RnnException;
import rnn.engine.Batch;
import rnn.engine.Initialization;
import rnn.engine.LanguageModel;
import rnn.engine.ModelConfig;
import rnn.engine.RecurrentState;
import rnn.engine.loss.Loss;
import rnn.engine.optim.Optimizer;
import rnn.engine.optim.Optimizers;
import rnn.text.TokenSpan;
import rnn.text.WindowOrder;

/**
 * The training loop: epochs of batches (shuffled windows, or consecutive chunks of parallel
 * streams with carried state), gradient clipping, an optimizer step, validation after each epoch,
 * learning-rate decay, early stopping and a checkpoint after each epoch (and every --save-every
 * steps). All randomness derives from the seed, the epoch and the step, so a run resumed from any
 * checkpoint continues bit for bit as if it had never stopped.
 */
public final class Trainer {
    private final TrainConfig config;
    private final TrainingData data;
    private final LanguageModel model;
    private final Optimizer optimizer;
    private final Checkpointer checkpointer;
    private final TrainingListener listener;
    private final BooleanSupplier cancelled;
    private final TrainingSteps steps;
    private final RecurrentState trainState;
    /** Batches run per epoch: all of them, or the first --max-batches (throughput measurements). */
    private final int batchesPerEpoch;
    private Progress progress;

    private Trainer(TrainConfig config, TrainingData data, LanguageModel model, Optimizer optimizer,
                    Progress progress, Checkpointer checkpointer, TrainingListener listener, BooleanSupplier cancelled) {
        this.config = config;
        this.data = data;
        this.model = model;
        this.optimizer = optimizer;
        this.progress = progress;
        this.checkpointer = checkpointer;
        this.listener = listener;
        this.cancelled = cancelled;
        this.steps = new TrainingSteps(config, data.train(), trainingText(config), model, optimizer, 0);
        if (data.validation() != null) {
            // Refuse validation text too short for one batch now, not after the first epoch.
            requireValidationBatch(config, data.validation(), validationText(config));
        }
        this.trainState = steps.state();
        this.batchesPerEpoch = batchesPerEpoch(config, steps.batchCount());
    }

    /** All the batches of a pass, or the first --max-batches (throughput measurements). */
    public static int batchesPerEpoch(TrainConfig config, int batches) {
        return config.run().maxBatches() > 0 ? Math.min(config.run().maxBatches(), batches) : batches;
    }

    /** How messages name the training text: the corpus, or its training part when a split is held out. */
    public static String trainingText(TrainConfig config) {
        String corpus = corpusName(config);
        return config.data().validFile() == null && config.data().validationSplit() > 0 ? "the training part of " + corpus : corpus;
    }

    public static String validationText(TrainConfig config) {
        return config.data().validFile() != null ? config.data().validFile()
                : "the validation part of " + corpusName(config) + " (--validation-split " + config.data().validationSplit() + ")";
    }

    private static String corpusName(TrainConfig config) {
        String corpus = config.data().corpora().get(0);
        return corpus.equals("-") ? "stdin" : corpus;
    }

    /** A fresh run: new weights from the seed. */
    public static Trainer start(TrainConfig config, TrainingData data, Checkpointer checkpointer,
                                TrainingListener listener, BooleanSupplier cancelled) {
        // model.json records the cutoffs themselves, not "the default", so a later default cannot change the model.
        TrainConfig resolved = config.withNetwork(config.network().resolvedFor(data.vocabulary().size()));
        LanguageModel model = initialModel(resolved, data.vocabulary().size());
        return startFrom(resolved, data, model, checkpointer, listener, cancelled);
    }

    /**
     * A fresh run from given weights (fine-tuning a trained model): new optimizer state and
     * progress; the model's architecture must be the configuration's for this vocabulary.
     */
    public static Trainer startFrom(TrainConfig config, TrainingData data, LanguageModel model, Checkpointer checkpointer,
                                    TrainingListener listener, BooleanSupplier cancelled) {
        Optimizer optimizer = Optimizers.create(config.optimization().optimizer(), config.optimization().momentum());
        Trainer trainer = new Trainer(config, data, model, optimizer, Progress.start(config.optimization().lr()),
                checkpointer, listener, cancelled);
        checkpointer.begin(config, data.vocabulary(), model, data.summary());
        return trainer;
    }

    /** Continues a run from saved weights, optimizer state, carried state and progress. */
    public static Trainer resume(TrainConfig config, TrainingData data, LanguageModel model,
                                 Map<String, INDArray> optimizerState, Map<String, INDArray> recurrentState,
                                 Progress progress, Checkpointer checkpointer, TrainingListener listener,
                                 BooleanSupplier cancelled) {
        Optimizer optimizer = Optimizers.create(config.optimization().optimizer(), config.optimization().momentum());
        if (!optimizerState.isEmpty()) {
            optimizer.loadState(optimizerState);
        }
        Trainer trainer = new Trainer(config, data, model, optimizer, progress, checkpointer, listener, cancelled);
        if (progress.nextBatch() > trainer.batchesPerEpoch) {
            // Saves within an epoch name a batch to run next, or the batch count while validation is
            // pending; a larger value is an edited file.
            throw new RnnException("the saved progress names batch " + progress.nextBatch() + " next, but an epoch"
                    + " has " + trainer.batchesPerEpoch + "; the resume file was edited, or --max-batches is below the batch it stopped at");
        }
        if (trainer.trainState != null && progress.nextBatch() > 0) {
            trainer.trainState.restore(recurrentState);
        }
        return trainer;
    }

    /** A fresh run's weights, drawn from the seed. */
    public static LanguageModel initialModel(TrainConfig config, int vocabularySize) {
        Initialization init = (switch (config.network().init()) {
            case "glorot" -> Initialization.glorot();
            case "orthogonal" -> Initialization.orthogonal();
            default -> Initialization.uniform(config.network().initScale());
        }).withForgetBias(config.network().forgetBias());
        return LanguageModel.initialize(config.network().architecture(vocabularySize), init, config.optimization().seed(), DataType.FLOAT);
    }

    public LanguageModel model() {
        return model;
    }

    /** Runs the remaining epochs; returns the full history. Throws CancelledException after saving if cancelled. */
    public List<EpochResult> run() {
        listener.onStart(new TrainingPlan(data.vocabulary().size(), data.train().length(),
                data.validation() == null ? 0 : data.validation().length(), model.parameters().count(),
                batchesPerEpoch, progress.epoch(), config.optimization().epochs(), describe(config, model.config())));
        if (progress.epoch() > config.optimization().epochs() && !progress.history().isEmpty()) {
            // Nothing left to train, but a kill between the checkpoint's files can leave model.json
            // and history.json an epoch behind the resume file: write them level again.
            save(false);
        }
        while (progress.epoch() <= config.optimization().epochs()) {
            if (!runEpoch()) {
                break;
            }
        }
        return progress.history();
    }

    /** The one-line summary of a run's model, data layout and optimizer that starts its log. */
    public static String describe(TrainConfig config, ModelConfig a) {
        return a.cell() + " " + a.layers() + "x" + a.hiddenSize() + (a.oneHot() ? ", one-hot input" : ", embedding "
                + a.embeddingSize()) + (a.dropout() > 0 ? (a.lockedDropout() ? ", locked dropout " : ", dropout ") + a.dropout() : "")
                + (a.embeddingDropout() > 0 ? ", dropoute " + a.embeddingDropout() : "")
                + (a.weightDrop() > 0 ? ", wdrop " + a.weightDrop() : "") + (a.tied() ? ", tied" : "")
                + "; " + (config.data().stateful() ? config.optimization().batchSize() + " streams, chunks of " + config.data().window()
                : "windows of " + config.data().window() + " (stride " + config.data().stride() + ", " + config.data().objective()
                .name().toLowerCase(java.util.Locale.ROOT) + " positions), batch " + config.optimization().batchSize())
                + "; " + config.optimization().optimizer() + " lr " + config.optimization().lr();
    }

    /**
     * One epoch from progress.nextBatch(); returns false when training should stop. A cancel
     * between batches saves the epoch so far; one during validation saves the trained epoch with
     * nextBatch at the end, so --resume only validates it.
     */
    private boolean runEpoch() {
        int epoch = progress.epoch();
        double learningRate = progress.learningRate();
        WindowOrder order = steps.order(epoch);
        if (trainState != null && progress.nextBatch() == 0) {
            trainState.reset();
        }
        long started = System.nanoTime();
        double secondsBefore = progress.epochSeconds();
        double lossSum = progress.epochLossSum();
        long predictions = progress.epochPredictions();
        long tokens = progress.epochTokens();
        long step = progress.step();
        double seconds = secondsBefore; // the epoch's training time up to its last finished batch
        for (int b = progress.nextBatch(); b < batchesPerEpoch; b++) {
            if (cancelled.getAsBoolean()) {
                progress = unfinished(b, step, lossSum, predictions, tokens, seconds);
                listener.onCheckpoint(save(false));
                throw new CancelledException("interrupted in epoch " + epoch + " at batch " + b + "/"
                        + batchesPerEpoch + "; progress saved");
            }
            TrainingSteps.Step done = steps.run(order, b, step, learningRate);
            if (!Double.isFinite(done.loss())) {
                throw diverged(done.loss(), epoch, b + 1);
            }
            step++;
            lossSum += done.loss() * done.predictions();
            predictions += done.predictions();
            tokens += done.tokens();
            seconds = secondsBefore + secondsSince(started);
            listener.onBatch(epoch, b + 1, batchesPerEpoch, lossSum / predictions, tokens / Math.max(seconds, 1e-9));
            if (config.run().saveEvery() > 0 && step % config.run().saveEvery() == 0 && b + 1 < batchesPerEpoch) {
                progress = unfinished(b + 1, step, lossSum, predictions, tokens, seconds);
                listener.onCheckpoint(save(false));
            }
        }
        Evaluation validation = null;
        if (data.validation() != null) {
            listener.onValidation(epoch, data.validation().length());
            try {
                validation = evaluate(config, model, data.validation(), validationText(config), cancelled);
            } catch (CancelledException duringValidation) {
                progress = unfinished(batchesPerEpoch, step, lossSum, predictions, tokens, seconds);
                listener.onCheckpoint(save(false));
                throw new CancelledException("interrupted while validating epoch " + epoch
                        + "; its training is saved, and --resume validates it");
            }
        }
        EpochResult result = epochResult(config, epoch, lossSum / predictions, validation, learningRate, tokens,
                tokens / Math.max(seconds, 1e-9), seconds);
        EpochEnd end = EpochEnd.after(config, progress, result, step);
        progress = end.progress();
        listener.onEpoch(result);
        listener.onCheckpoint(save(end.improved()));
        if (end.stopNotice() != null) {
            listener.onNotice(end.stopNotice());
            return false;
        }
        return true;
    }

    /** The current epoch stopped before {@code nextBatch} (the batch count: trained, not yet validated). */
    private Progress unfinished(int nextBatch, long step, double lossSum, long predictions, long tokens, double seconds) {
        return new Progress(progress.epoch(), nextBatch, step, progress.learningRate(), progress.bestEpoch(),
                progress.bestValidationLoss(), progress.epochsWithoutImprovement(), lossSum, predictions, tokens,
                seconds, progress.history());
    }

    private static double secondsSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1e9;
    }

    /** The error that stops a run whose loss became NaN or infinite at {@code batch} (1-based). */
    public static RnnException diverged(double loss, int epoch, int batch) {
        return new RnnException("the loss became " + loss + " in epoch " + epoch + " at batch " + batch
                + "; stopped without saving these weights (the last checkpoint is intact); "
                + "try a lower --lr or --clip");
    }

    private java.nio.file.Path save(boolean improved) {
        if (model.parameters().hasNonFinite()) {
            throw new RnnException("the weights became NaN or infinite in epoch " + progress.epoch()
                    + "; stopped without saving them (the last checkpoint is intact); try a lower --lr or --clip");
        }
        Map<String, INDArray> state = trainState == null || progress.nextBatch() == 0 ? Map.of() : trainState.tensors();
        return checkpointer.save(model, optimizer.state(), state, progress, improved);
    }

    /** Mean loss per predicted token over a held-out span, dropout off. */
    public double evaluate(TokenSpan span) {
        return evaluate(config, model, span, "the text").loss();
    }

    /** Mean loss per prediction and the shares of predictions with the target first and in the top 5. */
    public record Evaluation(double loss, double accuracy, double top5Accuracy) {
    }

    /** {@code model} scored over {@code span}, dropout off; {@code description} names the text in errors. */
    public static Evaluation evaluate(TrainConfig config, LanguageModel model, TokenSpan span, String description) {
        return evaluate(config, model, span, description, () -> false);
    }

    /** As above, checking {@code cancelled} before each batch: throws CancelledException when it is raised. */
    public static Evaluation evaluate(TrainConfig config, LanguageModel model, TokenSpan span, String description,
                                      BooleanSupplier cancelled) {
        Batcher batches = validationBatches(config, span, description);
        RecurrentState state = config.data().stateful() ? model.newState(batches.batchSize()) : null;
        double sum = 0;
        long top1 = 0;
        long top5 = 0;
        long count = 0;
        WindowOrder order = batches.order(config, 0);
        for (int b = 0; b < batches.count(); b++) {
            if (cancelled.getAsBoolean()) {
                throw new CancelledException("validation interrupted at batch " + b + "/" + batches.count());
            }
            Batch batch = batches.batch(b, order);
            LanguageModel.Evaluation e = model.evaluate(batch, state, config.optimization().loss());
            sum += e.lossSum();
            top1 += e.top1Hits();
            top5 += e.topKHits();
            count += batch.predictions();
        }
        return new Evaluation(sum / count, (double) top1 / count, (double) top5 / count);
    }

    /** What an epoch did, from its training loss and validation (null without validation data). */
    public static EpochResult epochResult(TrainConfig config, int epoch, double trainLoss, Evaluation validation,
                                          double learningRate, long tokens, double tokensPerSecond, double seconds) {
        return new EpochResult(epoch, trainLoss, perplexity(config, trainLoss),
                validation == null ? null : validation.loss(), validation == null ? null : perplexity(config, validation.loss()),
                validation == null ? null : validation.accuracy(), validation == null ? null : validation.top5Accuracy(),
                learningRate, tokens, tokensPerSecond, seconds);
    }

    /** exp(mean loss), or null for a loss whose exponential is no perplexity (mse). */
    private static Double perplexity(TrainConfig config, double meanLoss) {
        return config.optimization().loss() == Loss.MEAN_SQUARED_ERROR ? null : Math.exp(meanLoss);
    }

    /** Throws a one-line RnnException naming {@code description} when {@code span} holds no validation batch. */
    public static void requireValidationBatch(TrainConfig config, TokenSpan span, String description) {
        validationBatches(config, span, description);
    }

    /** Evaluation batches: the training batch size, or for streams up to 10 of at least a window each. */
    private static Batcher validationBatches(TrainConfig config, TokenSpan span, String description) {
        int evalBatch = config.data().stateful() ? (int) Math.max(1, Math.min(10, span.length() / (config.data().window() + 1))) : config.optimization().batchSize();
        return Batcher.of(config, span, evalBatch, description);
    }
}
