package rnn.engine;

import java.util.Objects;

/**
 * Token ids of B sequences of T steps, time-major: {@code inputs[t * B + b]}. Targets are the
 * next token of every position ({@code targets[t * B + b]}, objective ALL) or of the last one
 * only ({@code targets[b]}, objective LAST). Arrays are used as given, not copied.
 */
public record Batch(int batchSize, int steps, int[] inputs, int[] targets, Objective objective) {
    public Batch {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(objective, "objective");
        if (batchSize < 1 || steps < 1) {
            throw new IllegalArgumentException("batch " + batchSize + " x " + steps + " steps");
        }
        if (inputs.length < batchSize * steps) {
            throw new IllegalArgumentException("inputs hold " + inputs.length + " ids, need " + batchSize * steps);
        }
        if (targets != null && targets.length < predictions(batchSize, steps, objective)) {
            throw new IllegalArgumentException("targets hold " + targets.length + " ids, need "
                    + predictions(batchSize, steps, objective));
        }
    }

    /** Number of predicted positions: the rows of the output. */
    public int predictions() {
        return predictions(batchSize, steps, objective);
    }

    private static int predictions(int batchSize, int steps, Objective objective) {
        return objective == Objective.ALL ? batchSize * steps : batchSize;
    }
}
