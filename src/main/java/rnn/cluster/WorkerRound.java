package rnn.cluster;

import java.io.Serializable;
import java.util.Map;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.checkpoint.Json;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.LanguageModel;
import rnn.engine.ModelConfig;
import rnn.engine.optim.Optimizer;
import rnn.engine.optim.Optimizers;
import rnn.text.TokenSpan;
import rnn.text.WindowOrder;
import rnn.train.TrainConfig;
import rnn.train.TrainingSteps;

/**
 * One worker's part of a round, run where its shard lies: start from the round's weights and
 * optimizer state, run local steps {@code fromBatch..toBatch} of the epoch over the shard (same
 * batching, window order and stream state as one machine), and return the new weights and state.
 * It reads nothing but its inputs, so a round that Spark re-runs after a lost executor returns
 * exactly the same.
 */
final class WorkerRound implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String OPTIMIZER_PREFIX = "optimizer/";

    /** What a round starts from: the same for every worker, broadcast once. */
    record Start(String configJson, String architectureJson, TensorBundle weightsAndState, int epoch, int fromBatch,
                 int toBatch, long firstStep, double learningRate, Map<Integer, TensorBundle> streamStates)
            implements Serializable {
    }

    /** What one worker returns. */
    record Result(int worker, TensorBundle weightsAndState, TensorBundle streamState, double lossSum,
                  long predictions, long tokens, int steps, double seconds, double badLoss, int badBatch)
            implements Serializable {
    }

    static Result run(int worker, int[] shard, Start start) {
        long began = System.nanoTime();
        TrainConfig config = Json.fromJson(start.configJson(), TrainConfig.class);
        ModelConfig architecture = Json.fromJson(start.architectureJson(), ModelConfig.class);
        TaskContext task = TaskContext.get();
        EngineThreads.configure(config.run().threads() > 0 ? config.run().threads() : task == null ? 1 : task.cpus());
        Map<String, INDArray> tensors = start.weightsAndState().tensors();
        LanguageModel model = LanguageModel.fromValues(architecture, TensorBundle.withPrefix(tensors, OPTIMIZER_PREFIX, false));
        Optimizer optimizer = Optimizers.create(config.optimization().optimizer(), config.optimization().momentum());
        Map<String, INDArray> optimizerState = TensorBundle.withPrefix(tensors, OPTIMIZER_PREFIX, true);
        if (!optimizerState.isEmpty()) {
            optimizer.loadState(optimizerState);
        }
        TrainingSteps steps = new TrainingSteps(config, TokenSpan.of(shard), "shard " + worker, model, optimizer, worker);
        TensorBundle carried = start.streamStates().get(worker);
        if (steps.state() != null && carried != null) {
            steps.state().restore(carried.tensors());
        }
        WindowOrder order = steps.order(start.epoch());
        double lossSum = 0;
        long predictions = 0;
        long tokens = 0;
        long step = start.firstStep();
        for (int b = start.fromBatch(); b < start.toBatch(); b++) {
            TrainingSteps.Step done = steps.run(order, b, step++, start.learningRate());
            if (!Double.isFinite(done.loss())) {
                return new Result(worker, null, null, lossSum, predictions, tokens, b - start.fromBatch(),
                        seconds(began), done.loss(), b + 1);
            }
            lossSum += done.loss() * done.predictions();
            predictions += done.predictions();
            tokens += done.tokens();
        }
        Map<String, INDArray> out = new java.util.LinkedHashMap<>(model.parameters().values());
        optimizer.state().forEach((name, value) -> out.put(OPTIMIZER_PREFIX + name, value));
        TensorBundle streamState = steps.state() == null ? null : TensorBundle.of(steps.state().tensors());
        return new Result(worker, TensorBundle.of(out), streamState, lossSum, predictions, tokens,
                start.toBatch() - start.fromBatch(), seconds(began), Double.NaN, 0);
    }

    /** Batches of a full pass over this shard. */
    static int batchCount(int worker, int[] shard, String configJson) {
        TrainConfig config = Json.fromJson(configJson, TrainConfig.class);
        return TrainingSteps.batchCount(config, TokenSpan.of(shard), "shard " + worker + " of the training text");
    }

    private static double seconds(long began) {
        return (System.nanoTime() - began) / 1e9;
    }
}
