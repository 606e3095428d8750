package rnn.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a resumed run may change: the epoch count, the learning rate and its schedule, and the
 * patience. Everything else in the data, network and optimization would change what the saved
 * weights, optimizer state and progress mean, so resuming refuses it. Null fields keep the saved
 * value. A new {@code lr} is the learning rate from the resumed step on (the saved schedule
 * decayed the old one).
 */
public record ResumeChanges(Integer epochs, Double lr, Double lrDecay, Integer decayAfter, Boolean decayOnPlateau,
                            Integer patience) {
    public static final ResumeChanges NONE = new ResumeChanges(null, null, null, null, null, null);

    public static ResumeChanges epochs(int epochs) {
        return new ResumeChanges(epochs, null, null, null, null, null);
    }

    /** The saved settings with these changes applied; validated like any other. */
    public OptimizationConfig applyTo(OptimizationConfig saved) {
        return new OptimizationConfig(saved.loss(), saved.optimizer(), lr != null ? lr : saved.lr(), saved.momentum(),
                lrDecay != null ? lrDecay : saved.lrDecay(), decayAfter != null ? decayAfter : saved.decayAfter(),
                decayOnPlateau != null ? decayOnPlateau : saved.decayOnPlateau(), saved.clip(),
                epochs != null ? epochs : saved.epochs(), saved.batchSize(), saved.shuffle(),
                patience != null ? patience : saved.patience(), saved.seed());
    }

    /** The changed options and their new values, named as on the command line, in a stable order. */
    public Map<String, String> asOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        put(options, "epochs", epochs);
        put(options, "lr", lr);
        put(options, "lr-decay", lrDecay);
        put(options, "decay-after", decayAfter);
        put(options, "decay-on-plateau", decayOnPlateau);
        put(options, "patience", patience);
        return options;
    }

    private static void put(Map<String, String> options, String name, Object value) {
        if (value != null) {
            options.put(name, String.valueOf(value));
        }
    }
}
