package rnn.train;

import java.util.Locale;

import rnn.InvalidConfigException;
import rnn.engine.loss.Loss;
import rnn.engine.optim.Optimizers;

/**
 * How the weights are fitted: loss, optimizer and learning-rate schedule, clipping, epochs, batch
 * size and shuffling, early stopping and the seed every random choice derives from. Stored in
 * model.json. A resumed run may change the epochs, learning rate and schedule and the patience
 *; the rest would change what the saved state means.
 */
public record OptimizationConfig(Loss loss, String optimizer, double lr, double momentum, double lrDecay,
                                 int decayAfter, boolean decayOnPlateau, double clip, int epochs, int batchSize,
                                 boolean shuffle, int patience, long seed) {

    public OptimizationConfig {
        if (loss == null) {
            throw new InvalidConfigException("--loss needs a value");
        }
        optimizer = optimizer == null ? "" : optimizer.toLowerCase(Locale.ROOT);
        Optimizers.create(optimizer, momentum); // refuses an unknown optimizer or a momentum it would ignore
        if (!(lr > 0 && Double.isFinite(lr))) {
            throw new InvalidConfigException("--lr must be positive, got " + lr);
        }
        TrainConfig.finiteAsFloat(lr, "--lr");
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw new InvalidConfigException("--lr-decay must be in (0, 1], got " + lrDecay);
        }
        if (decayAfter < 0) {
            throw new InvalidConfigException("--decay-after must not be negative, got " + decayAfter);
        }
        if (decayOnPlateau && lrDecay >= 1) {
            throw new InvalidConfigException("--decay-on-plateau needs --lr-decay below 1 (the factor to decay by)");
        }
        if (!(clip >= 0)) {
            throw new InvalidConfigException("--clip must not be negative (0 = no clipping), got " + clip);
        }
        TrainConfig.positive(epochs, "--epochs");
        TrainConfig.positive(batchSize, "--batch-size");
        if (patience < 0) {
            throw new InvalidConfigException("--patience must not be negative (0 = off), got " + patience);
        }
    }

    /** The same settings training for {@code newEpochs} epochs in all. */
    public OptimizationConfig withEpochs(int newEpochs) {
        return new OptimizationConfig(loss, optimizer, lr, momentum, lrDecay, decayAfter, decayOnPlateau, clip,
                newEpochs, batchSize, shuffle, patience, seed);
    }

    /** Decays the learning rate by {@code lrDecay} after the given finished epoch. */
    public double nextLearningRate(int finishedEpoch, double current, boolean improved) {
        if (lrDecay >= 1) {
            return current;
        }
        if (decayOnPlateau) {
            return improved ? current : current * lrDecay;
        }
        return finishedEpoch >= decayAfter ? current * lrDecay : current;
    }
}
