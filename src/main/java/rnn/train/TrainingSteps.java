package rnn.train;

import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.RecurrentState;
import rnn.engine.optim.Optimizer;
import rnn.text.TokenSpan;
import rnn.text.WindowOrder;

/**
 * Training steps over one text's batches: a batch's forward and backward pass, gradient clipping
 * and an optimizer update. The single-machine {@link Trainer} runs them over the whole training
 * text; a cluster worker runs a few of them over its shard, from weights it was sent. Both get the
 * same batching, keyed window order, carried stream state and dropout seeds.
 */
public final class TrainingSteps {
    private final TrainConfig config;
    private final Batcher batches;
    private final LanguageModel model;
    private final Optimizer optimizer;
    private final RecurrentState state;
    private final int worker;

    /**
     * @param description how messages name the text (e.g. "corpus.txt") when it is too short for one batch
     * @param worker      0 on one machine; a cluster worker's index, so its dropout masks differ from the others'
     */
    public TrainingSteps(TrainConfig config, TokenSpan text, String description, LanguageModel model,
                         Optimizer optimizer, int worker) {
        this.config = config;
        this.batches = Batcher.of(config, text, config.optimization().batchSize(), description);
        this.model = model;
        this.optimizer = optimizer;
        this.state = config.data().stateful() ? model.newState(config.optimization().batchSize()) : null;
        this.worker = worker;
    }

    /** What one step did: its mean loss per prediction (NaN or infinite when training diverged). */
    public record Step(double loss, int predictions, long tokens) {
    }

    /** Batches in a full pass over {@code text} (its description names it if it holds none). */
    public static int batchCount(TrainConfig config, TokenSpan text, String description) {
        return Batcher.of(config, text, config.optimization().batchSize(), description).count();
    }

    /** Batches in a full pass over the text. */
    public int batchCount() {
        return batches.count();
    }

    /** The order batches visit windows in during {@code epoch} (null for streams). */
    public WindowOrder order(int epoch) {
        return batches.order(config, epoch);
    }

    /** The carried state of the streams, or null for windows. */
    public RecurrentState state() {
        return state;
    }

    public LanguageModel model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Trains on batch {@code index} in {@code order} as optimizer step {@code step}; a
     * non-finite loss leaves the weights untouched and is returned for the caller to stop on.
     */
    public Step run(WindowOrder order, int index, long step, double learningRate) {
        Batch batch = batches.batch(index, order);
        double loss = model.computeGradients(batch, state, config.optimization().loss(), dropoutSeed(config.optimization().seed(), step, worker));
        if (Double.isFinite(loss)) {
            double gradientScale = config.optimization().clip() > 0 ? model.parameters().clipScale(config.optimization().clip()) : 1.0;
            optimizer.step(model.parameters(), learningRate, gradientScale);
        }
        return new Step(loss, batch.predictions(), (long) batch.batchSize() * batch.steps());
    }

    /** A seed per step (and worker) for dropout masks; worker 0's are those of a single-machine run. */
    static long dropoutSeed(long seed, long step, int worker) {
        long z = seed * 0x9E3779B97F4A7C15L + step + worker * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
