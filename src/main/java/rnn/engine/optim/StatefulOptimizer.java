package rnn.engine.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.Parameters;

/**
 * Shared bookkeeping of the optimizers: named per-parameter buffers (allocated at the first step,
 * then updated in place) and the step count, exported and restored for exact resumption.
 */
abstract class StatefulOptimizer implements Optimizer {
    private final List<String> bufferNames;
    /** buffer name -> parameter name -> buffer. */
    private final Map<String, Map<String, INDArray>> buffers = new LinkedHashMap<>();
    protected long steps;

    StatefulOptimizer(List<String> bufferNames) {
        this.bufferNames = bufferNames;
    }

    @Override
    public final void step(Parameters parameters, double learningRate) {
        if (!(learningRate >= 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learning rate " + learningRate);
        }
        if (buffers.isEmpty() && !bufferNames.isEmpty()) {
            for (String buffer : bufferNames) {
                Map<String, INDArray> perParameter = new LinkedHashMap<>();
                parameters.values().forEach((name, value) -> perParameter.put(name, Nd4j.zerosLike(value)));
                buffers.put(buffer, perParameter);
            }
        }
        steps++;
        for (Map.Entry<String, INDArray> entry : parameters.values().entrySet()) {
            String name = entry.getKey();
            update(name, entry.getValue(), parameters.gradient(name), learningRate);
        }
    }

    /** Updates one parameter in place from its gradient; {@link #steps} already counts this step. */
    abstract void update(String parameter, INDArray value, INDArray gradient, double learningRate);

    final INDArray buffer(String buffer, String parameter) {
        return buffers.get(buffer).get(parameter);
    }

    @Override
    public final Map<String, INDArray> state() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(name() + ".t", Nd4j.createFromArray(new double[] {steps}));
        buffers.forEach((buffer, perParameter) -> perParameter.forEach((parameter, value) ->
                state.put(name() + "." + buffer + "." + parameter, value.dup())));
        return state;
    }

    @Override
    public final void loadState(Map<String, INDArray> state) {
        INDArray t = state.get(name() + ".t");
        if (t == null || t.length() != 1 || t.getDouble(0) < 0 || t.getDouble(0) != Math.rint(t.getDouble(0))) {
            throw new IllegalArgumentException("optimizer state lacks a valid " + name() + ".t");
        }
        Map<String, Map<String, INDArray>> loaded = new LinkedHashMap<>();
        String prefix = name() + ".";
        for (Map.Entry<String, INDArray> entry : state.entrySet()) {
            String key = entry.getKey();
            if (key.equals(name() + ".t")) {
                continue;
            }
            String rest = key.startsWith(prefix) ? key.substring(prefix.length()) : null;
            int dot = rest == null ? -1 : rest.indexOf('.');
            String buffer = dot < 0 ? null : rest.substring(0, dot);
            if (buffer == null || !bufferNames.contains(buffer)) {
                throw new IllegalArgumentException("optimizer state entry '" + key + "' does not belong to " + name());
            }
            loaded.computeIfAbsent(buffer, b -> new LinkedHashMap<>()).put(rest.substring(dot + 1), entry.getValue().dup());
        }
        long newSteps = (long) t.getDouble(0);
        if ((newSteps > 0 && !bufferNames.isEmpty()) != !loaded.isEmpty()) {
            throw new IllegalArgumentException("optimizer state for step " + newSteps + " has "
                    + (loaded.isEmpty() ? "no buffers" : "unexpected buffers"));
        }
        if (!loaded.isEmpty() && !loaded.keySet().containsAll(bufferNames)) {
            throw new IllegalArgumentException("optimizer state lacks some of " + bufferNames);
        }
        Map<String, INDArray> first = loaded.isEmpty() ? Map.of() : loaded.values().iterator().next();
        for (Map<String, INDArray> perParameter : loaded.values()) {
            if (!perParameter.keySet().equals(first.keySet())) {
                throw new IllegalArgumentException("optimizer state buffers cover different parameters");
            }
            perParameter.forEach((parameter, value) -> {
                INDArray reference = first.get(parameter);
                if (!Arrays.equals(value.shape(), reference.shape()) || value.dataType() != reference.dataType()
                        || value.dataType() == DataType.UNKNOWN) {
                    throw new IllegalArgumentException("optimizer state for '" + parameter + "' is inconsistent");
                }
            });
        }
        buffers.clear();
        buffers.putAll(loaded);
        steps = newSteps;
    }
}
