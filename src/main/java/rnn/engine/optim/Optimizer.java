package rnn.engine.optim;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.Parameters;

/**
 * A first-order update rule: turns the current gradients of a {@link Parameters} into an in-place
 * change of its values.
 *
 * <p>Per-parameter state (momentum, moment estimates) is allocated once, on the first step, and
 * keyed by parameter name; later steps allocate no arrays. The state, including the step count,
 * can be taken out with {@link #state()} and put back with {@link #loadState(Map)}, so a run that
 * is checkpointed and resumed continues bit-identically. Implementations are not thread-safe.
 */
public interface Optimizer {
    /**
     * Applies one update to every parameter from its current gradient.
     *
     * @param learningRate the step size, finite and at least 0
     * @param gradientScale a factor in (0, 1] applied to every gradient as it is read, e.g. from
     *                      {@link Parameters#clipScale}; the gradient arrays are not changed
     * @throws IllegalArgumentException if the learning rate is negative or not finite, the scale is
     *                                  outside (0, 1], or if the
     *                                  parameters' names, shapes or data types differ from those
     *                                  this optimizer's state was built for (nothing is changed then)
     */
    void step(Parameters parameters, double learningRate, double gradientScale);

    /** {@link #step(Parameters, double, double)} with the gradients as they are (scale 1). */
    default void step(Parameters parameters, double learningRate) {
        step(parameters, learningRate, 1.0);
    }

    /**
     * A copy of the optimizer's state, by stable names: {@code <name>.t}, the number of steps
     * taken, as a DOUBLE tensor of shape [1]; then, per state buffer and parameter,
     * {@code <name>.<buffer>.<parameter>} with the parameter's shape and data type (for example
     * {@code adam.m.decoder.bias}). Before the first step only {@code <name>.t} (0) is present.
     * The arrays are copies: later steps do not change them.
     */
    Map<String, INDArray> state();

    /**
     * Replaces the whole state with a copy of {@code state}, as returned by {@link #state()}.
     * The entries are checked before anything changes: every name must be one this optimizer
     * keeps, each parameter needs all of its buffers with one shape and data type, the step count
     * must be a whole number, and buffers must be present exactly when it is above 0. If this
     * optimizer has already stepped, the buffers must also match those parameters; otherwise they
     * are checked against the parameters of the next {@link #step}.
     *
     * @throws IllegalArgumentException naming the offending entry if the state does not fit
     */
    void loadState(Map<String, INDArray> state);

    /** The short name used in state keys and on the command line: {@code sgd}, {@code rmsprop}, {@code adam}. */
    String name();
}
