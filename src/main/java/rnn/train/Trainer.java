package rnn.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.CancelledException;
import rnn.InvalidConfigException;
import rnn.RnnException;
import rnn.engine.Batch;
import rnn.engine.Initialization;
import rnn.engine.LanguageModel;
import rnn.engine.ModelConfig;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;
import rnn.engine.loss.Loss;
import rnn.engine.optim.Optimizer;
import rnn.engine.optim.Optimizers;
import rnn.text.StreamBatches;
import rnn.text.TokenSpan;
import rnn.text.WindowOrder;
import rnn.text.Windows;

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
    private final Batcher trainBatches;
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
        this.trainBatches = Batcher.of(config, data.train(), config.optimization().batchSize(), trainingText(config));
        if (data.validation() != null) {
            // Refuse validation text too short for one batch now, not after the first epoch.
            validationBatches(data.validation(), validationText(config));
        }
        this.trainState = config.data().stateful() ? model.newState(config.optimization().batchSize()) : null;
        this.batchesPerEpoch = config.run().maxBatches() > 0 ? Math.min(config.run().maxBatches(), trainBatches.count())
                : trainBatches.count();
    }

    /** How messages name the training text: the corpus, or its training part when a split is held out. */
    private static String trainingText(TrainConfig config) {
        String corpus = corpusName(config);
        return config.data().validFile() == null && config.data().validationSplit() > 0 ? "the training part of " + corpus : corpus;
    }

    private static String validationText(TrainConfig config) {
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
        ModelConfig architecture = config.network().architecture(data.vocabulary().size());
        Initialization init = (config.network().init().equals("glorot") ? Initialization.glorot()
                : Initialization.uniform(config.network().initScale())).withForgetBias(config.network().forgetBias());
        LanguageModel model = LanguageModel.initialize(architecture, init, config.optimization().seed(), DataType.FLOAT);
        return startFrom(config, data, model, checkpointer, listener, cancelled);
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
        if (progress.nextBatch() >= trainer.batchesPerEpoch) {
            // Saves mid-epoch happen before an epoch's last batch only; a larger value is an edited file.
            throw new RnnException("the saved progress names batch " + progress.nextBatch() + " next, but an epoch"
                    + " has " + trainer.batchesPerEpoch + "; the resume file was edited, or --max-batches is below the batch it stopped at");
        }
        if (trainer.trainState != null && progress.nextBatch() > 0) {
            trainer.trainState.restore(recurrentState);
        }
        return trainer;
    }

    public LanguageModel model() {
        return model;
    }

    /** Runs the remaining epochs; returns the full history. Throws CancelledException after saving if cancelled. */
    public List<EpochResult> run() {
        listener.onStart(new TrainingPlan(data.vocabulary().size(), data.train().length(),
                data.validation() == null ? 0 : data.validation().length(), model.parameters().count(),
                batchesPerEpoch, progress.epoch(), config.optimization().epochs(), describe()));
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

    private String describe() {
        ModelConfig a = model.config();
        return a.cell() + " " + a.layers() + "x" + a.hiddenSize() + (a.oneHot() ? ", one-hot input" : ", embedding "
                + a.embeddingSize()) + (a.dropout() > 0 ? ", dropout " + a.dropout() : "") + (a.tied() ? ", tied" : "")
                + "; " + (config.data().stateful() ? config.optimization().batchSize() + " streams, chunks of " + config.data().window()
                : "windows of " + config.data().window() + " (stride " + config.data().stride() + ", " + config.data().objective()
                .name().toLowerCase(java.util.Locale.ROOT) + " positions), batch " + config.optimization().batchSize())
                + "; " + config.optimization().optimizer() + " lr " + config.optimization().lr();
    }

    /** One epoch from progress.nextBatch(); returns false when training should stop. */
    private boolean runEpoch() {
        int epoch = progress.epoch();
        double learningRate = progress.learningRate();
        WindowOrder order = trainBatches.order(config, epoch);
        if (trainState != null && progress.nextBatch() == 0) {
            trainState.reset();
        }
        long started = System.nanoTime();
        long tokensAtStart = progress.epochTokens();
        double lossSum = progress.epochLossSum();
        long predictions = progress.epochPredictions();
        long tokens = progress.epochTokens();
        long step = progress.step();
        for (int b = progress.nextBatch(); b < batchesPerEpoch; b++) {
            if (cancelled.getAsBoolean()) {
                progress = new Progress(epoch, b, step, learningRate, progress.bestEpoch(),
                        progress.bestValidationLoss(), progress.epochsWithoutImprovement(), lossSum, predictions,
                        tokens, progress.history());
                listener.onCheckpoint(save(false));
                throw new CancelledException("interrupted in epoch " + epoch + " at batch " + b + "/"
                        + batchesPerEpoch + "; progress saved");
            }
            Batch batch = trainBatches.batch(b, order);
            double loss = model.computeGradients(batch, trainState, config.optimization().loss(), dropoutSeed(step));
            if (!Double.isFinite(loss)) {
                throw new RnnException("the loss became " + loss + " in epoch " + epoch + " at batch " + (b + 1)
                        + "; stopped without saving these weights (the last checkpoint is intact); "
                        + "try a lower --lr or --clip");
            }
            double gradientScale = config.optimization().clip() > 0 ? model.parameters().clipScale(config.optimization().clip()) : 1.0;
            optimizer.step(model.parameters(), learningRate, gradientScale);
            step++;
            lossSum += loss * batch.predictions();
            predictions += batch.predictions();
            tokens += (long) batch.batchSize() * batch.steps();
            double seconds = (System.nanoTime() - started) / 1e9;
            listener.onBatch(epoch, b + 1, batchesPerEpoch, lossSum / predictions,
                    (tokens - tokensAtStart) / Math.max(seconds, 1e-9));
            if (config.run().saveEvery() > 0 && step % config.run().saveEvery() == 0 && b + 1 < batchesPerEpoch) {
                progress = new Progress(epoch, b + 1, step, learningRate, progress.bestEpoch(),
                        progress.bestValidationLoss(), progress.epochsWithoutImprovement(), lossSum, predictions,
                        tokens, progress.history());
                listener.onCheckpoint(save(false));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Evaluation validation = data.validation() == null ? null
                : evaluate(validationBatches(data.validation(), validationText(config)));
        Double validationLoss = validation == null ? null : validation.loss();
        EpochResult result = new EpochResult(epoch, lossSum / predictions, perplexity(lossSum / predictions),
                validationLoss, validation == null ? null : perplexity(validationLoss),
                validation == null ? null : validation.accuracy(), validation == null ? null : validation.top5Accuracy(),
                learningRate, tokens, (tokens - tokensAtStart) / Math.max(seconds, 1e-9), seconds);
        boolean improved = validationLoss == null || progress.bestValidationLoss() == null
                || validationLoss < progress.bestValidationLoss();
        Integer bestEpoch = improved ? Integer.valueOf(epoch) : progress.bestEpoch();
        Double bestLoss = improved ? validationLoss : progress.bestValidationLoss();
        int withoutImprovement = improved ? 0 : progress.epochsWithoutImprovement() + 1;
        List<EpochResult> history = new ArrayList<>(progress.history());
        history.add(result);
        progress = new Progress(epoch + 1, 0, step, config.optimization().nextLearningRate(epoch, learningRate, improved), bestEpoch,
                bestLoss, withoutImprovement, 0, 0, 0, history);
        listener.onEpoch(result);
        listener.onCheckpoint(save(improved));
        if (config.optimization().patience() > 0 && withoutImprovement >= config.optimization().patience() && epoch < config.optimization().epochs()) {
            listener.onNotice("stopping early: validation loss has not improved for " + withoutImprovement
                    + " epochs (best " + String.format(java.util.Locale.ROOT, "%.4f", bestLoss) + " at epoch "
                    + bestEpoch + ")");
            return false;
        }
        return true;
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
        return evaluate(validationBatches(span, "the text")).loss();
    }

    /** exp(mean loss), or null for a loss whose exponential is no perplexity (mse). */
    private Double perplexity(double meanLoss) {
        return config.optimization().loss() == Loss.MEAN_SQUARED_ERROR ? null : Math.exp(meanLoss);
    }

    /** Mean loss per prediction and the shares of predictions with the target first and in the top 5. */
    private record Evaluation(double loss, double accuracy, double top5Accuracy) {
    }

    /** Evaluation batches: the training batch size, or for streams up to 10 of at least a window each. */
    private Batcher validationBatches(TokenSpan span, String description) {
        int evalBatch = config.data().stateful() ? Math.max(1, Math.min(10, span.length() / (config.data().window() + 1))) : config.optimization().batchSize();
        return Batcher.of(config, span, evalBatch, description);
    }

    private Evaluation evaluate(Batcher batches) {
        RecurrentState state = config.data().stateful() ? model.newState(batches.batchSize()) : null;
        double sum = 0;
        long top1 = 0;
        long top5 = 0;
        long count = 0;
        WindowOrder order = batches.order(config, 0);
        for (int b = 0; b < batches.count(); b++) {
            Batch batch = batches.batch(b, order);
            LanguageModel.Evaluation e = model.evaluate(batch, state, config.optimization().loss());
            sum += e.lossSum();
            top1 += e.top1Hits();
            top5 += e.topKHits();
            count += batch.predictions();
        }
        return new Evaluation(sum / count, (double) top1 / count, (double) top5 / count);
    }

    private long dropoutSeed(long step) {
        long z = config.optimization().seed() * 0x9E3779B97F4A7C15L + step;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Batches over a span in the configured layout, filled on demand into reused arrays. */
    private abstract static class Batcher {
        final int[] inputs;
        final int[] targets;

        /** Allocates the reused arrays once the caller has checked the text holds a batch. */
        Batcher(long cells) {
            if (cells > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigException("a batch of " + cells + " tokens is more than one array holds;"
                        + " use a smaller --batch-size or --window");
            }
            inputs = new int[(int) cells];
            targets = new int[(int) cells];
        }

        /** Throws a one-line RnnException naming {@code description} when the span is too short for one batch. */
        static Batcher of(TrainConfig config, TokenSpan span, int batchSize, String description) {
            return config.data().stateful()
                    ? new Streams(new StreamBatches(span, batchSize, config.data().window()).requireNonEmpty(description))
                    : new WindowBatches(new Windows(span, config.data().window(), config.data().stride()).requireNonEmpty(description),
                            config, batchSize);
        }

        abstract int count();

        abstract int batchSize();

        abstract WindowOrder order(TrainConfig config, int epoch);

        abstract Batch batch(int index, WindowOrder order);
    }

    private static final class Streams extends Batcher {
        private final StreamBatches streams;

        Streams(StreamBatches streams) {
            // No chunk is longer than a stream less its last token.
            super((long) streams.batchSize() * Math.min(streams.window(), streams.streamLength() - 1));
            this.streams = streams;
        }

        @Override
        int count() {
            return streams.chunkCount();
        }

        @Override
        int batchSize() {
            return streams.batchSize();
        }

        @Override
        WindowOrder order(TrainConfig config, int epoch) {
            return null;
        }

        @Override
        Batch batch(int index, WindowOrder order) {
            int steps = streams.fill(index, inputs, targets);
            return new Batch(streams.batchSize(), steps, inputs, targets, Objective.ALL);
        }
    }

    private static final class WindowBatches extends Batcher {
        private final Windows windows;
        private final int batchSize;
        private final Objective objective;

        WindowBatches(Windows windows, TrainConfig config, int batchSize) {
            // No batch holds more windows than there are.
            super((long) Math.min(batchSize, windows.count()) * windows.window());
            this.windows = windows;
            this.batchSize = batchSize;
            this.objective = config.data().objective();
        }

        @Override
        int count() {
            return (int) ((windows.count() + (long) batchSize - 1) / batchSize);
        }

        @Override
        int batchSize() {
            return batchSize;
        }

        @Override
        WindowOrder order(TrainConfig config, int epoch) {
            return config.optimization().shuffle() && epoch > 0 ? WindowOrder.shuffled(windows.count(), config.optimization().seed(), epoch)
                    : windows.order();
        }

        @Override
        Batch batch(int index, WindowOrder order) {
            int from = index * batchSize;
            int size = Math.min(batchSize, order.size() - from);
            windows.fill(order, from, size, inputs, targets, objective == Objective.LAST);
            return new Batch(size, windows.window(), inputs, targets, objective);
        }
    }
}
