package rnn.engine.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.Parameters;
import rnn.engine.TouchedRows;

/**
 * The bookkeeping every optimizer shares: the step count t, state buffers allocated once per
 * parameter name, and the export, import and checks of that state. Subclasses supply only the update of one parameter.
 */
abstract class StatefulOptimizer implements Optimizer {
    private static final INDArray[] NO_BUFFERS = new INDArray[0];
    /** Largest step count a DOUBLE holds exactly. */
    private static final double MAX_STEPS = 0x1p53;

    private final String name;
    private final List<String> bufferNames;
    /** Per parameter, in parameter order: its state buffers. */
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    /** Shapes and types of the parameters of the last step; empty before the first. */
    private final Map<String, Spec> stepped = new LinkedHashMap<>();
    private long steps;

    /**
     * @param name        the optimizer's name, the prefix of its state keys
     * @param bufferNames the per-parameter state buffers, in export order (may be empty)
     */
    StatefulOptimizer(String name, List<String> bufferNames) {
        this.name = name;
        this.bufferNames = List.copyOf(bufferNames);
    }

    /**
     * Updates one parameter in place.
     *
     * @param value        the parameter, updated in place
     * @param gradient     its gradient (read only)
     * @param buffers      its state buffers, in the order of the constructor's names, updated in place
     * @param learningRate the step size
     * @param t            the number of this step, 1 for the first
     * @param gradientScale  the factor to apply to the gradient as it is read
     */
    abstract void update(INDArray value, INDArray gradient, INDArray[] buffers, double learningRate, long t,
                         double gradientScale);

    /**
     * {@link #update} for a row-sparse gradient, zero outside {@code rows}. This default updates
     * every row, as the state of momentum, RMSprop and Adam moves even where the gradient is zero;
     * a rule for which a zero gradient changes nothing may update the touched rows only.
     */
    void updateRows(INDArray value, INDArray gradient, TouchedRows rows, INDArray[] buffers, double learningRate,
                    long t, double gradientScale) {
        update(value, gradient, buffers, learningRate, t, gradientScale);
    }

    @Override
    public final String name() {
        return name;
    }

    /** The number of steps taken (or restored). */
    public final long steps() {
        return steps;
    }

    @Override
    public final void step(Parameters parameters, double learningRate, double gradientScale) {
        Objects.requireNonNull(parameters, "parameters");
        if (!(learningRate >= 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learning rate must be finite and at least 0, got " + learningRate);
        }
        if (!(gradientScale > 0 && gradientScale <= 1)) {
            throw new IllegalArgumentException("gradient scale must be in (0, 1], got " + gradientScale);
        }
        boolean needsSlots = !bufferNames.isEmpty();
        if (needsSlots && !isBound(parameters)) {
            bind(parameters);
        }
        long t = steps + 1;
        Map<String, INDArray> gradients = parameters.gradients();
        for (Map.Entry<String, INDArray> entry : parameters.values().entrySet()) {
            Slot slot = needsSlots ? slots.get(entry.getKey()) : null;
            INDArray[] buffers = slot == null ? NO_BUFFERS : slot.buffers;
            TouchedRows rows = parameters.touchedRows(entry.getKey());
            if (rows != null) {
                updateRows(entry.getValue(), gradients.get(entry.getKey()), rows, buffers, learningRate, t, gradientScale);
            } else {
                update(entry.getValue(), gradients.get(entry.getKey()), buffers, learningRate, t, gradientScale);
            }
        }
        steps = t;
    }

    /** True if every parameter has a slot of its shape and type, and no slot is extra. */
    private boolean isBound(Parameters parameters) {
        Map<String, INDArray> values = parameters.values();
        if (values.size() != slots.size()) {
            return false;
        }
        for (Map.Entry<String, INDArray> entry : values.entrySet()) {
            Slot slot = slots.get(entry.getKey());
            if (slot == null || !slot.spec.matches(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Makes the slots fit the parameters: allocates zero buffers on the first step, or checks that
     * the existing (stepped or loaded) buffers belong to exactly these parameters. Throws before
     * changing anything if the state does not fit.
     */
    private void bind(Parameters parameters) {
        Map<String, Spec> specs = new LinkedHashMap<>();
        parameters.values().forEach((param, value) -> {
            Spec spec = Spec.of(value);
            if (!spec.dtype.isFPType()) {
                throw new IllegalArgumentException("parameter " + param + " is " + spec.dtype
                        + ", not a floating-point type");
            }
            INDArray gradient = parameters.gradient(param);
            if (!spec.matches(gradient)) {
                throw new IllegalArgumentException("gradient of " + param + " is " + Spec.of(gradient)
                        + ", but the parameter is " + spec);
            }
            specs.put(param, spec);
        });

        Map<String, Slot> bound = new LinkedHashMap<>();
        if (!slots.isEmpty() && !bufferNames.isEmpty()) {
            List<String> problems = mismatches(slotSpecs(), specs);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(name + " optimizer state (after " + steps
                        + " steps) does not fit the parameters: " + String.join("; ", problems));
            }
            specs.keySet().forEach(param -> bound.put(param, slots.get(param)));
        } else {
            specs.forEach((param, spec) -> {
                INDArray[] buffers = new INDArray[bufferNames.size()];
                for (int k = 0; k < buffers.length; k++) {
                    buffers[k] = Nd4j.zeros(spec.dtype, spec.shape);
                }
                bound.put(param, new Slot(spec, buffers));
            });
        }
        slots.clear();
        slots.putAll(bound);
        stepped.clear();
        stepped.putAll(specs);
    }

    @Override
    public final Map<String, INDArray> state() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        state.put(stepsKey(), Nd4j.createFromArray((double) steps));
        for (int k = 0; k < bufferNames.size(); k++) {
            for (Map.Entry<String, Slot> entry : slots.entrySet()) {
                state.put(bufferKey(k, entry.getKey()), entry.getValue().buffers[k].dup('c'));
            }
        }
        return Collections.unmodifiableMap(state);
    }

    @Override
    public final void loadState(Map<String, INDArray> state) {
        Objects.requireNonNull(state, "state");
        long t = readSteps(state);
        Map<String, INDArray[]> loaded = new LinkedHashMap<>();
        state.forEach((key, value) -> {
            if (key.equals(stepsKey())) {
                return;
            }
            int k = bufferIndex(key);
            if (k < 0) {
                throw new IllegalArgumentException("unexpected entry '" + key + "' in " + name
                        + " optimizer state; expected " + expectedKeys());
            }
            if (value == null) {
                throw new IllegalArgumentException(name + " optimizer state entry '" + key + "' is null");
            }
            if (!value.dataType().isFPType()) {
                throw new IllegalArgumentException(name + " optimizer state entry '" + key + "' is "
                        + value.dataType() + ", not a floating-point type");
            }
            String param = key.substring(bufferKey(k, "").length());
            loaded.computeIfAbsent(param, p -> new INDArray[bufferNames.size()])[k] = value;
        });

        Map<String, Spec> specs = new LinkedHashMap<>();
        loaded.forEach((param, buffers) -> {
            Spec spec = null;
            for (int k = 0; k < buffers.length; k++) {
                if (buffers[k] == null) {
                    throw new IllegalArgumentException(name + " optimizer state has no '" + bufferKey(k, param)
                            + "' though it has other state for parameter " + param);
                }
                Spec own = Spec.of(buffers[k]);
                if (spec == null) {
                    spec = own;
                } else if (!spec.equals(own)) {
                    throw new IllegalArgumentException(name + " optimizer state '" + bufferKey(k, param) + "' is "
                            + own + ", but '" + bufferKey(0, param) + "' is " + spec);
                }
            }
            specs.put(param, spec);
        });
        if (t == 0 && !specs.isEmpty()) {
            throw new IllegalArgumentException(stepsKey() + " is 0, but the state has buffers for " + specs.keySet());
        }
        if (t > 0 && !bufferNames.isEmpty()) {
            if (specs.isEmpty()) {
                throw new IllegalArgumentException(stepsKey() + " is " + t + ", but the state has none of "
                        + expectedKeys());
            }
            if (!stepped.isEmpty()) {
                List<String> problems = mismatches(specs, stepped);
                if (!problems.isEmpty()) {
                    throw new IllegalArgumentException(name + " optimizer state does not fit the parameters: "
                            + String.join("; ", problems));
                }
            }
        }

        slots.clear();
        specs.forEach((param, spec) -> {
            INDArray[] copies = new INDArray[bufferNames.size()];
            INDArray[] buffers = loaded.get(param);
            for (int k = 0; k < copies.length; k++) {
                copies[k] = buffers[k].dup('c');
            }
            slots.put(param, new Slot(spec, copies));
        });
        steps = t;
    }

    private long readSteps(Map<String, INDArray> state) {
        INDArray t = state.get(stepsKey());
        if (t == null) {
            throw new IllegalArgumentException(name + " optimizer state has no '" + stepsKey() + "' (the step count)");
        }
        if (t.length() != 1 || t.rank() > 1) {
            throw new IllegalArgumentException(name + " optimizer state '" + stepsKey()
                    + "' must hold one number, but has shape " + Arrays.toString(t.shape()));
        }
        double value = t.getDouble(0);
        if (!(value >= 0 && value <= MAX_STEPS && value == Math.rint(value))) {
            throw new IllegalArgumentException(name + " optimizer state '" + stepsKey()
                    + "' must be a whole number of steps, at least 0, got " + value);
        }
        return (long) value;
    }

    /** What differs between the state's parameters and the expected ones; empty if nothing. */
    private List<String> mismatches(Map<String, Spec> state, Map<String, Spec> expected) {
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>(expected.keySet());
        missing.removeAll(state.keySet());
        if (!missing.isEmpty()) {
            problems.add("no state for parameters " + missing);
        }
        List<String> extra = new ArrayList<>(state.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) {
            problems.add("state for unknown parameters " + extra);
        }
        expected.forEach((param, spec) -> {
            Spec own = state.get(param);
            if (own != null && !own.equals(spec)) {
                problems.add("'" + bufferKey(0, param) + "' is " + own + ", but the parameter is " + spec);
            }
        });
        return problems;
    }

    private Map<String, Spec> slotSpecs() {
        Map<String, Spec> specs = new LinkedHashMap<>();
        slots.forEach((param, slot) -> specs.put(param, slot.spec));
        return specs;
    }

    private String stepsKey() {
        return name + ".t";
    }

    private String bufferKey(int k, String param) {
        return name + "." + bufferNames.get(k) + "." + param;
    }

    /** The buffer a key names, or -1 if it is not {@code <name>.<buffer>.<parameter>}. */
    private int bufferIndex(String key) {
        for (int k = 0; k < bufferNames.size(); k++) {
            String prefix = bufferKey(k, "");
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                return k;
            }
        }
        return -1;
    }

    private String expectedKeys() {
        StringBuilder keys = new StringBuilder(stepsKey());
        for (int k = 0; k < bufferNames.size(); k++) {
            keys.append(", ").append(bufferKey(k, "<parameter>"));
        }
        return keys.toString();
    }

    /** A parameter's shape and data type. */
    private record Spec(long[] shape, DataType dtype) {
        static Spec of(INDArray array) {
            return new Spec(array.shape().clone(), array.dataType());
        }

        boolean matches(INDArray array) {
            return array.dataType() == dtype && Arrays.equals(array.shape(), shape);
        }

        long length() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Spec spec && spec.dtype == dtype && Arrays.equals(spec.shape, shape);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + dtype.hashCode();
        }

        @Override
        public String toString() {
            return dtype + " " + Arrays.toString(shape);
        }
    }

    /** One parameter's state buffers. */
    private static final class Slot {
        final Spec spec;
        final INDArray[] buffers;

        Slot(Spec spec, INDArray[] buffers) {
            this.spec = spec;
            this.buffers = buffers;
        }
    }
}
