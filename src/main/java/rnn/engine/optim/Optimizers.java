package rnn.engine.optim;

import java.util.Locale;

import rnn.InvalidConfigException;

/** Optimizers by their command-line name. */
public final class Optimizers {
    private Optimizers() {
    }

    public static Optimizer create(String name, double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidConfigException("--momentum must be in [0, 1), got " + momentum);
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new Sgd(momentum);
            case "rmsprop" -> new RmsProp(0.9, 1e-7);
            case "adam" -> new Adam(0.9, 0.999, 1e-8);
            default -> throw new InvalidConfigException("--optimizer must be sgd, rmsprop or adam, got '" + name + "'");
        };
    }
}
