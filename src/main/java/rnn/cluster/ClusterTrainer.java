package rnn.cluster;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.CancelledException;
import rnn.RnnException;
import rnn.checkpoint.Json;
import rnn.engine.LanguageModel;
import rnn.text.TokenSpan;
import rnn.train.Checkpointer;
import rnn.train.EpochEnd;
import rnn.train.EpochResult;
import rnn.train.Progress;
import rnn.train.TrainConfig;
import rnn.train.Trainer;
import rnn.train.TrainingPlan;
import scala.Tuple2;

/**
 * The cluster's training loop, run on the driver: synchronous data parallelism in rounds. In each
 * round every worker starts from the same weights and optimizer state, runs K local steps on its
 * shard ({@link WorkerRound}), and the driver takes the mean of the workers' weights and optimizer
 * state, summed up Spark's aggregation tree. With K = 1 and SGD that is exactly one step of
 * synchronous SGD on the global batch of workers x batch; with K > 1 it is local SGD (periodic
 * model averaging). Epochs, validation, learning-rate decay, early stopping and checkpoints are
 * those of {@link Trainer}; a checkpoint is written after every epoch.
 */
final class ClusterTrainer {
    private final JavaSparkContext spark;
    private final JavaRDD<int[]> shards;
    private final TrainConfig config;
    private final ClusterOptions cluster;
    private final LanguageModel model;
    private Map<String, INDArray> optimizerState;
    private Progress progress;
    private final TokenSpan validation;
    private final Checkpointer checkpointer;
    private final ClusterListener listener;
    private final BooleanSupplier cancelled;
    private final int batchesPerEpoch;

    ClusterTrainer(JavaSparkContext spark, JavaRDD<int[]> shards, TrainConfig config, ClusterOptions cluster,
                   LanguageModel model, Map<String, INDArray> optimizerState, Progress progress, TokenSpan validation,
                   Checkpointer checkpointer, ClusterListener listener, BooleanSupplier cancelled) {
        this.spark = spark;
        this.shards = shards;
        this.config = config;
        this.cluster = cluster;
        this.model = model;
        this.optimizerState = optimizerState;
        this.progress = progress;
        this.validation = validation;
        this.checkpointer = checkpointer;
        this.listener = listener;
        this.cancelled = cancelled;
        this.batchesPerEpoch = Trainer.batchesPerEpoch(config, batchesPerShard(shards, config, cluster));
        if (validation != null) {
            // Refuse validation text too short for one batch now, not after the first epoch.
            Trainer.requireValidationBatch(config, validation, Trainer.validationText(config));
        }
    }

    /** The fewest batches any shard holds: an epoch is that many local steps on every worker. */
    private static int batchesPerShard(JavaRDD<int[]> shards, TrainConfig config, ClusterOptions cluster) {
        String configJson = Json.toJson(config);
        List<Tuple2<Integer, String>> counts = shards.mapPartitionsWithIndex(
                (Function2<Integer, Iterator<int[]>, Iterator<Tuple2<Integer, String>>>) (worker, shard) -> {
                    try {
                        return List.of(new Tuple2<>(WorkerRound.batchCount(worker, shard.next(), configJson), (String) null))
                                .iterator();
                    } catch (RnnException e) {
                        return List.of(new Tuple2<>(0, e.getMessage())).iterator();
                    }
                }, true).collect();
        int fewest = Integer.MAX_VALUE;
        for (Tuple2<Integer, String> count : counts) {
            if (count._2() != null) {
                throw new RnnException("--workers " + cluster.workers() + " leaves a worker less than one batch: "
                        + count._2() + "; use fewer workers or a smaller --batch-size or --window");
            }
            fewest = Math.min(fewest, count._1());
        }
        return fewest;
    }

    int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    List<EpochResult> run(TrainingPlan plan) {
        listener.onStart(plan);
        while (progress.epoch() <= config.optimization().epochs()) {
            if (!runEpoch()) {
                break;
            }
        }
        return progress.history();
    }

    private boolean runEpoch() {
        int epoch = progress.epoch();
        double learningRate = progress.learningRate();
        long started = System.nanoTime();
        double lossSum = 0;
        long predictions = 0;
        long tokens = 0;
        long step = progress.step();
        Map<Integer, TensorBundle> streamStates = new LinkedHashMap<>();
        int rounds = (batchesPerEpoch + cluster.syncEvery() - 1) / cluster.syncEvery();
        for (int round = 0; round < rounds; round++) {
            if (cancelled.getAsBoolean()) {
                throw interrupted(epoch);
            }
            int from = round * cluster.syncEvery();
            int to = Math.min(from + cluster.syncEvery(), batchesPerEpoch);
            long roundStarted = System.nanoTime();
            Map<String, INDArray> sent = new LinkedHashMap<>(model.parameters().values());
            optimizerState.forEach((name, value) -> sent.put(WorkerRound.OPTIMIZER_PREFIX + name, value));
            WorkerRound.Start start = new WorkerRound.Start(Json.toJson(config), Json.toJson(model.config()),
                    TensorBundle.of(sent), epoch, from, to, step, learningRate, Map.copyOf(streamStates));
            RoundSum sum = runRound(start);
            if (sum.diverged()) {
                throw Trainer.diverged(sum.badLoss, epoch, sum.badBatch);
            }
            Map<String, INDArray> averaged = sum.average().tensors();
            TensorBundle.withPrefix(averaged, WorkerRound.OPTIMIZER_PREFIX, false)
                    .forEach((name, value) -> model.parameters().value(name).assign(value));
            optimizerState = TensorBundle.withPrefix(averaged, WorkerRound.OPTIMIZER_PREFIX, true);
            streamStates = new LinkedHashMap<>(sum.streamStates);
            step += to - from;
            lossSum += sum.lossSum;
            predictions += sum.predictions;
            tokens += sum.tokens;
            double roundSeconds = (System.nanoTime() - roundStarted) / 1e9;
            double seconds = (System.nanoTime() - started) / 1e9;
            long valuesBack = 8L * (start.weightsAndState().floats.length + start.weightsAndState().doubles.length);
            listener.onRound(new RoundReport(epoch, round + 1, rounds, to, batchesPerEpoch, to - from,
                    sum.lossSum / sum.predictions, sum.tokens, roundSeconds, sum.computeSeconds,
                    start.weightsAndState().bytes() + valuesBack));
            listener.onBatch(epoch, to, batchesPerEpoch, lossSum / predictions, tokens / Math.max(seconds, 1e-9));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Trainer.Evaluation evaluation = validation == null ? null
                : Trainer.evaluate(config, model, validation, Trainer.validationText(config));
        EpochResult result = Trainer.epochResult(config, epoch, lossSum / predictions, evaluation, learningRate, tokens,
                tokens / Math.max(seconds, 1e-9), seconds);
        EpochEnd end = EpochEnd.after(config, progress, result, step);
        if (model.parameters().hasNonFinite()) {
            throw new RnnException("the weights became NaN or infinite in epoch " + epoch
                    + "; stopped without saving them (the last checkpoint is intact); try a lower --lr or --clip");
        }
        progress = end.progress();
        listener.onEpoch(result);
        listener.onCheckpoint(checkpointer.save(model, optimizerState, Map.of(), progress, end.improved()));
        if (end.stopNotice() != null) {
            listener.onNotice(end.stopNotice());
            return false;
        }
        return true;
    }

    /** Runs one round on every worker and sums their results up the aggregation tree. */
    private RoundSum runRound(WorkerRound.Start start) {
        // The broadcast is neither destroyed nor unpersisted here: both race Spark's context
        // cleaner, which then logs a stack trace ("Block broadcast_N_piece3 does not exist") for
        // removing the blocks again. The cleaner frees it everywhere once the driver drops it.
        Broadcast<WorkerRound.Start> shared = spark.broadcast(start);
        return shards.mapPartitionsWithIndex(
                (Function2<Integer, Iterator<int[]>, Iterator<WorkerRound.Result>>) (worker, shard) ->
                        List.of(WorkerRound.run(worker, shard.next(), shared.value())).iterator(), true)
                .treeAggregate(new RoundSum(), RoundSum::add, RoundSum::merge, treeDepth(cluster.workers()));
    }

    /** Two levels up to 16 workers, then one more per factor of 4, so no merge takes more than a few inputs. */
    static int treeDepth(int workers) {
        int depth = 2;
        for (long fanIn = 16; fanIn < workers; fanIn *= 4) {
            depth++;
        }
        return depth;
    }

    private CancelledException interrupted(int epoch) {
        return new CancelledException("interrupted in epoch " + epoch + "; the checkpoint of epoch "
                + (epoch - 1) + " is kept");
    }
}
