package rnn.train;

import rnn.InvalidConfigException;

/**
 * Every setting of a training run, in four parts each validated where it is built (messages name
 * the command-line option): the data, the network and the optimization, which model.json stores,
 * and the run options, which it does not. Built by the command line (presets fill what is not
 * given) or read back from model.json.
 */
public record TrainConfig(DataConfig data, NetworkConfig network, OptimizationConfig optimization, RunConfig run) {

    public TrainConfig {
        if (data == null || network == null || optimization == null || run == null) {
            throw new InvalidConfigException("a training configuration needs its data, network, optimization and run parts");
        }
        if (optimization.patience() > 0 && !data.hasValidation()) {
            throw new InvalidConfigException("--patience needs validation data (--validation-split or --valid)");
        }
        if (network.adaptive() && optimization.loss() != rnn.engine.loss.Loss.CROSS_ENTROPY) {
            throw new InvalidConfigException("--softmax adaptive trains with --loss crossentropy only (its exact"
                    + " negative log-likelihood), got --loss " + optimization.loss().cliName());
        }
        if (optimization.decayOnPlateau() && !data.hasValidation()) {
            throw new InvalidConfigException("--decay-on-plateau needs validation data (--validation-split or --valid)");
        }
    }

    /** Weights are floats: a value finite as a double but not as a float (1e39) would make them infinite. */
    static void finiteAsFloat(double value, String option) {
        if (!Float.isFinite((float) value)) {
            throw new InvalidConfigException(option + " must be a finite number within a float's range (about"
                    + " 3.4e38), got " + value);
        }
    }

    static void positive(int value, String option) {
        if (value < 1) {
            throw new InvalidConfigException(option + " must be positive, got " + value);
        }
    }

    public TrainConfig withOptimization(OptimizationConfig newOptimization) {
        return new TrainConfig(data, network, newOptimization, run);
    }

    public TrainConfig withNetwork(NetworkConfig newNetwork) {
        return new TrainConfig(data, newNetwork, optimization, run);
    }

    public TrainConfig withRun(RunConfig newRun) {
        return new TrainConfig(data, network, optimization, newRun);
    }
}
