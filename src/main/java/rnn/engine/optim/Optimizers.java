package rnn.engine.optim;

import java.util.List;
import java.util.Locale;

import rnn.InvalidConfigException;

/** Builds an optimizer from its command-line settings ({@code --optimizer}, {@code --momentum}). */
public final class Optimizers {
    /** The accepted {@code --optimizer} values. */
    public static final List<String> NAMES = List.of("sgd", "rmsprop", "adam");

    private Optimizers() {
    }

    /**
     * An optimizer with its default hyperparameters: {@link Sgd} with the given momentum,
     * {@link RmsProp} (rho 0.9, epsilon 1e-7) or {@link Adam} (0.9, 0.999, 1e-8).
     *
     * @param name     {@code sgd}, {@code rmsprop} or {@code adam}, in any case
     * @param momentum in [0, 1); only {@code sgd} uses momentum, so the others need 0
     * @throws InvalidConfigException naming {@code --optimizer} for an unknown name, or
     *                                {@code --momentum} for a value out of range or one the
     *                                optimizer would ignore
     */
    public static Optimizer create(String name, double momentum) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(key)) {
            throw new InvalidConfigException("--optimizer must be one of " + String.join(", ", NAMES)
                    + ", got '" + name + "'");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidConfigException("--momentum must be in [0, 1), got " + momentum);
        }
        if (momentum != 0 && !key.equals("sgd")) {
            throw new InvalidConfigException("--momentum applies only to --optimizer sgd, got " + momentum
                    + " with " + key);
        }
        return switch (key) {
            case "sgd" -> new Sgd(momentum);
            case "rmsprop" -> new RmsProp();
            default -> new Adam();
        };
    }
}
