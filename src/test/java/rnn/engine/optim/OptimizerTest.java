package rnn.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.InvalidConfigException;
import rnn.checkpoint.SafetensorsReader;
import rnn.checkpoint.SafetensorsWriter;
import rnn.engine.CellType;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.Initialization;
import rnn.engine.LanguageModel;
import rnn.engine.ModelConfig;
import rnn.engine.ParameterShapes;
import rnn.engine.Parameters;

/**
 * Each optimizer against the same formulas written out with plain Java doubles, on the tiny
 * model's seven parameters, plus the state export/import contract.
 */
class OptimizerTest {
    /** Tied, so no gradient is row-sparse: the gradients here are filled by hand, densely. */
    private static final ModelConfig CONFIG = new ModelConfig(CellType.RNN, 5, 3, 3, 1, 0, true);
    /** ND4J's element-wise ops are IEEE-exact, so only a few ulps of slack are allowed. */
    private static final double TOLERANCE = 1e-15;

    private static Parameters parameters(DataType dtype) {
        return LanguageModel.initialize(CONFIG, Initialization.uniform(0.1), 1, dtype).parameters();
    }

    /** A deterministic gradient per step: mixed signs and magnitudes, some exact zeros. */
    private static double gradient(int step, int param, int i) {
        int k = (7 * i + 3 * param + 5 * step) % 11;
        return k == 0 ? 0 : (k - 5.5) * Math.pow(10, -(i % 3)) * (step == 2 ? -0.7 : 0.3);
    }

    private static void fillGradients(Parameters parameters, int step) {
        int param = 0;
        for (INDArray g : parameters.gradients().values()) {
            double[] values = new double[(int) g.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = gradient(step, param, i);
            }
            g.assign(Nd4j.createFromArray(values).castTo(g.dataType()).reshape(g.shape()));
            param++;
        }
    }

    private static double[] flat(INDArray array) {
        return array.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }

    private static List<double[]> values(Parameters parameters) {
        List<double[]> values = new ArrayList<>();
        parameters.values().values().forEach(v -> values.add(flat(v)));
        return values;
    }

    private static void assertClose(List<double[]> expected, Parameters parameters, double tolerance) {
        List<double[]> actual = values(parameters);
        assertEquals(expected.size(), actual.size());
        for (int p = 0; p < expected.size(); p++) {
            for (int i = 0; i < expected.get(p).length; i++) {
                double e = expected.get(p)[i];
                assertEquals(e, actual.get(p)[i], tolerance * Math.max(1, Math.abs(e)),
                        "parameter " + p + "[" + i + "]");
            }
        }
    }

    /** One scalar update rule with its per-element state, the reference for an optimizer. */
    @FunctionalInterface
    interface Reference {
        /** Updates p[i] (and state[.][i]) for step t with gradient g. */
        void apply(double[] p, double[][] state, int i, double g, double lr, long t);
    }

    /** Runs the reference over every parameter element for the given steps (1-based gradient steps). */
    private static List<double[]> reference(Parameters initial, Reference rule, int stateSize, double lr,
                                            int... steps) {
        List<double[]> values = values(initial);
        for (int p = 0; p < values.size(); p++) {
            double[] value = values.get(p);
            double[][] state = new double[stateSize][value.length];
            for (int i = 0; i < value.length; i++) {
                long t = 0;
                for (int step : steps) {
                    rule.apply(value, state, i, gradient(step, p, i), lr, ++t);
                }
            }
        }
        return values;
    }

    private static List<double[]> twoSteps(Optimizer optimizer, Parameters parameters, double lr) {
        fillGradients(parameters, 1);
        optimizer.step(parameters, lr);
        fillGradients(parameters, 2);
        optimizer.step(parameters, lr);
        return values(parameters);
    }

    // ---- the formulas, step by step ------------------------------------------------------------

    @Test
    void plainSgdSubtractsLearningRateTimesGradient() {
        Parameters parameters = parameters(DataType.DOUBLE);
        List<double[]> expected = reference(parameters, (p, s, i, g, lr, t) -> p[i] = p[i] - lr * g, 0, 0.5, 1, 2);
        twoSteps(new Sgd(), parameters, 0.5);
        assertClose(expected, parameters, TOLERANCE);
    }

    @Test
    void sgdMomentumAccumulatesVelocity() {
        double mu = 0.9;
        Parameters parameters = parameters(DataType.DOUBLE);
        List<double[]> expected = reference(parameters, (p, s, i, g, lr, t) -> {
            s[0][i] = mu * s[0][i] + g;
            p[i] = p[i] - lr * s[0][i];
        }, 1, 0.1, 1, 2);
        Sgd sgd = new Sgd(mu);
        twoSteps(sgd, parameters, 0.1);
        assertClose(expected, parameters, TOLERANCE);
    }

    @Test
    void sgdMomentumByHandOnOneParameter() {
        Parameters parameters = parameters(DataType.DOUBLE);
        INDArray bias = parameters.value(ParameterShapes.DECODER_BIAS);
        bias.assign(1.0);
        Sgd sgd = new Sgd(0.5);
        parameters.gradient(ParameterShapes.DECODER_BIAS).assign(0.25);
        sgd.step(parameters, 0.125);   // v = 0.25, p = 1 - 0.125 * 0.25 = 0.96875
        assertEquals(0.96875, bias.getDouble(0));
        parameters.gradient(ParameterShapes.DECODER_BIAS).assign(-1.0);
        sgd.step(parameters, 0.125);   // v = 0.5 * 0.25 - 1 = -0.875, p = 0.96875 + 0.125 * 0.875 = 1.078125
        assertEquals(1.078125, bias.getDouble(4));
        assertEquals(-0.875, sgd.state().get("sgd.v." + ParameterShapes.DECODER_BIAS).getDouble(2));
        assertEquals(2.0, sgd.state().get("sgd.t").getDouble(0));
    }

    @Test
    void rmsPropMatchesTheFormula() {
        double rho = 0.9;
        double eps = 1e-7;
        Parameters parameters = parameters(DataType.DOUBLE);
        List<double[]> expected = reference(parameters, (p, s, i, g, lr, t) -> {
            s[0][i] = rho * s[0][i] + ((1 - rho) * g) * g;
            p[i] = p[i] - lr * (g / (Math.sqrt(s[0][i]) + eps));
        }, 1, 0.01, 1, 2);
        twoSteps(new RmsProp(), parameters, 0.01);
        assertClose(expected, parameters, TOLERANCE);
    }

    @Test
    void rmsPropAddsEpsilonOutsideTheSquareRoot() {
        Parameters parameters = parameters(DataType.DOUBLE);
        INDArray bias = parameters.value(ParameterShapes.DECODER_BIAS);
        bias.assign(0);
        parameters.gradient(ParameterShapes.DECODER_BIAS).assign(Nd4j.createFromArray(1e-7, 0, -1e-7, 1e-3, 1.0));
        new RmsProp().step(parameters, 1.0);
        // s = 0.1 g^2, so the step is g / (sqrt(0.1) |g| + 1e-7): eps matters at g = 1e-7, not at 1.
        double atTiny = 1e-7 / (Math.sqrt(0.1) * 1e-7 + 1e-7);   // 0.7597..., sqrt(s + eps) would give 3.2e-4
        assertEquals(-atTiny, bias.getDouble(0), 1e-15);
        assertEquals(0.0, bias.getDouble(1), "a zero gradient moves nothing and makes no NaN");
        assertEquals(atTiny, bias.getDouble(2), 1e-15);
        assertEquals(-1e-3 / (Math.sqrt(0.1 * 1e-6) + 1e-7), bias.getDouble(3), 1e-15);
        assertEquals(-1 / (Math.sqrt(0.1) + 1e-7), bias.getDouble(4), 1e-15);
    }

    @Test
    void adamMatchesTheBiasCorrectedFormula() {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        Parameters parameters = parameters(DataType.DOUBLE);
        List<double[]> expected = reference(parameters, (p, s, i, g, lr, t) -> {
            s[0][i] = b1 * s[0][i] + (1 - b1) * g;
            s[1][i] = b2 * s[1][i] + ((1 - b2) * g) * g;
            double c1 = 1 - Math.pow(b1, t);
            double c2 = 1 - Math.pow(b2, t);
            p[i] = p[i] - (lr / c1) * (s[0][i] / (Math.sqrt(s[1][i]) / Math.sqrt(c2) + eps));
        }, 2, 0.001, 1, 2);
        Adam adam = new Adam();
        twoSteps(adam, parameters, 0.001);
        assertClose(expected, parameters, TOLERANCE);
        assertEquals(2.0, adam.state().get("adam.t").getDouble(0));
    }

    @Test
    void adamBiasCorrectionByHand() {
        Parameters parameters = parameters(DataType.DOUBLE);
        INDArray bias = parameters.value(ParameterShapes.DECODER_BIAS);
        bias.assign(0);
        Adam adam = new Adam(0.9, 0.999, 1e-8);
        parameters.gradient(ParameterShapes.DECODER_BIAS).assign(0.5);
        adam.step(parameters, 0.1);
        // t = 1: mhat = g and vhat = g^2 exactly, so the step is lr * g / (|g| + eps), about lr.
        double first = -0.1 * 0.5 / (0.5 + 1e-8);
        assertEquals(first, bias.getDouble(0), 1e-16);
        Map<String, INDArray> state = adam.state();
        assertEquals(0.05, state.get("adam.m." + ParameterShapes.DECODER_BIAS).getDouble(0), 1e-16);
        assertEquals(0.001 * 0.25, state.get("adam.v." + ParameterShapes.DECODER_BIAS).getDouble(0), 1e-18);

        parameters.gradient(ParameterShapes.DECODER_BIAS).assign(-1.0);
        adam.step(parameters, 0.1);
        // t = 2: m = 0.9 * 0.05 - 0.1 = -0.055, v = 0.999 * 0.00025 + 0.001 = 0.00124975
        // mhat = -0.055 / 0.19 = -0.2894737, vhat = 0.00124975 / 0.001999 = 0.6251876, sqrt 0.7906881
        double mhat = -0.055 / (1 - 0.81);
        double vhat = 0.00124975 / (1 - 0.998001);
        double second = first - 0.1 * mhat / (Math.sqrt(vhat) + 1e-8);
        assertEquals(second, bias.getDouble(0), 1e-15);
        assertEquals(-0.0999999980 + 0.0366103522, bias.getDouble(0), 1e-10);   // -0.0633896458
    }

    @Test
    void floatParametersFollowTheSameFormula() {
        Parameters doubles = parameters(DataType.DOUBLE);
        Parameters floats = parameters(DataType.FLOAT);
        Adam adam = new Adam();
        twoSteps(adam, floats, 0.01);
        twoSteps(new Adam(), doubles, 0.01);
        assertClose(values(doubles), floats, 1e-6);
        adam.state().forEach((name, array) -> assertEquals(name.equals("adam.t") ? DataType.DOUBLE : DataType.FLOAT,
                array.dataType(), name));
        Parameters floatsSgd = parameters(DataType.FLOAT);
        Parameters doublesSgd = parameters(DataType.DOUBLE);
        twoSteps(new Sgd(0.9), floatsSgd, 0.1);
        twoSteps(new Sgd(0.9), doublesSgd, 0.1);
        assertClose(values(doublesSgd), floatsSgd, 1e-6);
        Parameters floatsRms = parameters(DataType.FLOAT);
        Parameters doublesRms = parameters(DataType.DOUBLE);
        twoSteps(new RmsProp(), floatsRms, 0.01);
        twoSteps(new RmsProp(), doublesRms, 0.01);
        assertClose(values(doublesRms), floatsRms, 1e-6);
    }

    @Test
    void rejectsBadLearningRates() {
        Parameters parameters = parameters(DataType.DOUBLE);
        Adam adam = new Adam();
        for (double lr : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> adam.step(parameters, lr), "lr " + lr);
        }
        assertEquals(0.0, adam.state().get("adam.t").getDouble(0));
    }

    @Test
    void rejectsBadHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> new Adam(1.0, 0.999, 1e-8));
        assertThrows(IllegalArgumentException.class, () -> new Adam(0.9, -0.1, 1e-8));
        assertThrows(IllegalArgumentException.class, () -> new Adam(0.9, 0.999, 0));
        assertThrows(IllegalArgumentException.class, () -> new RmsProp(1.0, 1e-7));
        assertThrows(IllegalArgumentException.class, () -> new RmsProp(0.9, Double.NaN));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new Sgd(1.0));
        assertTrue(e.getMessage().startsWith("--momentum"), e.getMessage());
    }

    // ---- state ---------------------------------------------------------------------------------

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("sgd", (Supplier<Optimizer>) Sgd::new),
                Arguments.of("sgd momentum", (Supplier<Optimizer>) () -> new Sgd(0.9)),
                Arguments.of("rmsprop", (Supplier<Optimizer>) RmsProp::new),
                Arguments.of("adam", (Supplier<Optimizer>) Adam::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void twoThreadsUpdateExactlyAsOne(String label, Supplier<Optimizer> factory) {
        // A model whose decoder has 50,000 weights: several chunks, split between the threads.
        ModelConfig big = new ModelConfig(CellType.LSTM, 2000, 25, 25, 1, 0, false);
        List<List<double[]>> results = new ArrayList<>();
        int before = EngineThreads.configured();
        try {
            for (int threads : new int[] {1, 2}) {
                EngineThreads.set(threads);
                Parameters parameters = LanguageModel.initialize(big, Initialization.uniform(0.1), 1, DataType.FLOAT)
                        .parameters();
                Optimizer optimizer = factory.get();
                for (int step = 1; step <= 3; step++) {
                    fillGradients(parameters, step);
                    optimizer.step(parameters, 0.05, 0.5);
                }
                results.add(values(parameters));
            }
        } finally {
            EngineThreads.set(before);
        }
        for (int p = 0; p < results.get(0).size(); p++) {
            assertArrayEquals(results.get(0).get(p), results.get(1).get(p), "parameter " + p);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void aGradientScaleActsAsScaledGradients(String label, Supplier<Optimizer> factory) {
        // Clipping hands the optimizer a factor instead of rescaling the gradients: both must agree.
        for (DataType dtype : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            Parameters scaled = parameters(dtype);
            Parameters prescaled = parameters(dtype);
            Optimizer byFactor = factory.get();
            Optimizer byArrays = factory.get();
            for (int step = 1; step <= 3; step++) {
                fillGradients(scaled, step);
                fillGradients(prescaled, step);
                prescaled.gradients().values().forEach(g -> g.muli(0.375));
                byFactor.step(scaled, 0.05, 0.375);
                byArrays.step(prescaled, 0.05);
            }
            assertClose(values(prescaled), scaled, dtype == DataType.DOUBLE ? 1e-12 : 1e-6);
            Parameters untouched = parameters(dtype);
            fillGradients(untouched, 1);
            List<double[]> before = new ArrayList<>();
            untouched.gradients().values().forEach(g -> before.add(flat(g)));
            factory.get().step(untouched, 0.05, 0.5);
            List<double[]> after = new ArrayList<>();
            untouched.gradients().values().forEach(g -> after.add(flat(g)));
            for (int p = 0; p < before.size(); p++) {
                assertArrayEquals(before.get(p), after.get(p), "gradient arrays are read, not changed");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> factory.get().step(parameters(DataType.DOUBLE), 0.05, 0.0));
        assertThrows(IllegalArgumentException.class, () -> factory.get().step(parameters(DataType.DOUBLE), 0.05, 1.5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void resumingFromExportedStateIsBitIdentical(String label, Supplier<Optimizer> factory) {
        Parameters uninterrupted = parameters(DataType.DOUBLE);
        Optimizer straight = factory.get();
        twoSteps(straight, uninterrupted, 0.05);
        fillGradients(uninterrupted, 3);
        straight.step(uninterrupted, 0.05);

        Parameters resumed = parameters(DataType.DOUBLE);
        Optimizer first = factory.get();
        twoSteps(first, resumed, 0.05);
        Map<String, INDArray> saved = first.state();
        Optimizer second = factory.get();
        second.loadState(saved);
        fillGradients(resumed, 3);
        second.step(resumed, 0.05);

        List<double[]> expected = values(uninterrupted);
        List<double[]> actual = values(resumed);
        for (int p = 0; p < expected.size(); p++) {
            assertArrayEquals(expected.get(p), actual.get(p), "parameter " + p);
        }
        assertStatesEqual(straight.state(), second.state());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void stateSurvivesASafetensorsFile(String label, Supplier<Optimizer> factory, @TempDir Path dir) {
        Parameters parameters = parameters(DataType.FLOAT);
        Optimizer optimizer = factory.get();
        twoSteps(optimizer, parameters, 0.05);
        Path file = dir.resolve("optimizer.safetensors");
        SafetensorsWriter.write(file, optimizer.state(), Map.of());
        Optimizer restored = factory.get();
        restored.loadState(SafetensorsReader.read(file).tensors());
        assertStatesEqual(optimizer.state(), restored.state());
    }

    private static void assertStatesEqual(Map<String, INDArray> expected, Map<String, INDArray> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach((name, array) -> {
            assertArrayEquals(array.shape(), actual.get(name).shape(), name);
            assertEquals(array.dataType(), actual.get(name).dataType(), name);
            assertArrayEquals(flat(array), flat(actual.get(name)), name);
        });
    }

    @Test
    void stateHasStableNamesInParameterOrder() {
        Parameters parameters = parameters(DataType.DOUBLE);
        Adam adam = new Adam();
        Map<String, INDArray> before = adam.state();
        assertEquals(List.of("adam.t"), List.copyOf(before.keySet()));
        assertArrayEquals(new long[] {1}, before.get("adam.t").shape());
        assertEquals(0.0, before.get("adam.t").getDouble(0));

        twoSteps(adam, parameters, 0.01);
        List<String> expected = new ArrayList<>(List.of("adam.t"));
        parameters.values().keySet().forEach(p -> expected.add("adam.m." + p));
        parameters.values().keySet().forEach(p -> expected.add("adam.v." + p));
        Map<String, INDArray> state = adam.state();
        assertEquals(expected, List.copyOf(state.keySet()));
        parameters.values().forEach((p, value) -> assertArrayEquals(value.shape(), state.get("adam.m." + p).shape()));

        assertEquals(List.of("sgd.t"), List.copyOf(twoStepState(new Sgd()).keySet()));
        assertTrue(twoStepState(new Sgd(0.5)).containsKey("sgd.v." + ParameterShapes.EMBEDDING));
        assertTrue(twoStepState(new RmsProp()).containsKey("rmsprop.s." + ParameterShapes.weightHh(0)));
    }

    private static Map<String, INDArray> twoStepState(Optimizer optimizer) {
        twoSteps(optimizer, parameters(DataType.DOUBLE), 0.01);
        return optimizer.state();
    }

    @Test
    void exportedStateIsACopy() {
        Parameters parameters = parameters(DataType.DOUBLE);
        Adam adam = new Adam();
        twoSteps(adam, parameters, 0.01);
        Map<String, INDArray> state = adam.state();
        double[] m = flat(state.get("adam.m." + ParameterShapes.EMBEDDING));
        fillGradients(parameters, 1);
        adam.step(parameters, 0.01);
        assertArrayEquals(m, flat(state.get("adam.m." + ParameterShapes.EMBEDDING)));
        assertEquals(2.0, state.get("adam.t").getDouble(0));

        Map<String, INDArray> source = new LinkedHashMap<>(adam.state());
        Adam loaded = new Adam();
        loaded.loadState(source);
        source.get("adam.m." + ParameterShapes.EMBEDDING).assign(123);
        assertTrue(flat(loaded.state().get("adam.m." + ParameterShapes.EMBEDDING))[0] != 123,
                "loadState copies its input");
    }

    /** A valid two-step Adam state to damage. */
    private static Map<String, INDArray> adamState() {
        Adam adam = new Adam();
        twoSteps(adam, parameters(DataType.DOUBLE), 0.01);
        return new LinkedHashMap<>(adam.state());
    }

    private static String rejected(Optimizer optimizer, Map<String, INDArray> state) {
        return assertThrows(IllegalArgumentException.class, () -> optimizer.loadState(state)).getMessage();
    }

    @Test
    void loadStateRejectsBuffersOfDifferentShapes() {
        Map<String, INDArray> state = adamState();
        String v = "adam.v." + ParameterShapes.DECODER_BIAS;
        state.put(v, Nd4j.zeros(DataType.DOUBLE, 4));
        String message = rejected(new Adam(), state);
        assertTrue(message.contains(v) && message.contains("[4]") && message.contains("[5]"), message);
    }

    @Test
    void loadStateRejectsShapesThatDoNotFitTheParametersAlreadyStepped() {
        Parameters parameters = parameters(DataType.DOUBLE);
        Adam adam = new Adam();
        twoSteps(adam, parameters, 0.01);
        Map<String, INDArray> state = adamState();
        state.put("adam.m." + ParameterShapes.EMBEDDING, Nd4j.zeros(DataType.DOUBLE, 3, 5));
        state.put("adam.v." + ParameterShapes.EMBEDDING, Nd4j.zeros(DataType.DOUBLE, 3, 5));
        String message = rejected(adam, state);
        assertTrue(message.contains(ParameterShapes.EMBEDDING) && message.contains("[3, 5]")
                && message.contains("[5, 3]"), message);
        assertEquals(2.0, adam.state().get("adam.t").getDouble(0), "a rejected load changes nothing");
    }

    @Test
    void freshOptimizerChecksLoadedShapesAtItsFirstStepBeforeChangingAnything() {
        Map<String, INDArray> state = adamState();
        state.put("adam.m." + ParameterShapes.EMBEDDING, Nd4j.zeros(DataType.DOUBLE, 3, 5));
        state.put("adam.v." + ParameterShapes.EMBEDDING, Nd4j.zeros(DataType.DOUBLE, 3, 5));
        Adam adam = new Adam();
        adam.loadState(state);
        Parameters parameters = parameters(DataType.DOUBLE);
        fillGradients(parameters, 1);
        List<double[]> before = values(parameters);
        String message = assertThrows(IllegalArgumentException.class, () -> adam.step(parameters, 0.01)).getMessage();
        assertTrue(message.contains(ParameterShapes.EMBEDDING) && message.contains("[3, 5]"), message);
        List<double[]> after = values(parameters);
        for (int p = 0; p < before.size(); p++) {
            assertArrayEquals(before.get(p), after.get(p));
        }
    }

    @Test
    void stepRejectsStateForOtherParameters() {
        Map<String, INDArray> state = adamState();
        state.remove("adam.m." + ParameterShapes.DECODER_BIAS);
        state.remove("adam.v." + ParameterShapes.DECODER_BIAS);
        Adam adam = new Adam();
        adam.loadState(state);
        Parameters parameters = parameters(DataType.DOUBLE);
        String message = assertThrows(IllegalArgumentException.class, () -> adam.step(parameters, 0.01)).getMessage();
        assertTrue(message.contains("no state for parameters [" + ParameterShapes.DECODER_BIAS + "]"), message);

        Map<String, INDArray> floats = new LinkedHashMap<>();
        adamState().forEach((name, array) ->
                floats.put(name, name.equals("adam.t") ? array : array.castTo(DataType.FLOAT)));
        Adam mixed = new Adam();
        mixed.loadState(floats);
        message = assertThrows(IllegalArgumentException.class, () -> mixed.step(parameters, 0.01)).getMessage();
        assertTrue(message.contains("FLOAT") && message.contains("DOUBLE"), message);
    }

    @Test
    void loadStateRejectsMalformedEntries() {
        Map<String, INDArray> noT = adamState();
        noT.remove("adam.t");
        assertTrue(rejected(new Adam(), noT).contains("adam.t"));

        Map<String, INDArray> halfT = adamState();
        halfT.put("adam.t", Nd4j.createFromArray(2.5));
        assertTrue(rejected(new Adam(), halfT).contains("whole number"));

        Map<String, INDArray> negativeT = adamState();
        negativeT.put("adam.t", Nd4j.createFromArray(-1.0));
        assertTrue(rejected(new Adam(), negativeT).contains("adam.t"));

        Map<String, INDArray> wideT = adamState();
        wideT.put("adam.t", Nd4j.createFromArray(1.0, 2.0));
        assertTrue(rejected(new Adam(), wideT).contains("one number"));

        Map<String, INDArray> unknown = adamState();
        unknown.put("adam.w." + ParameterShapes.EMBEDDING, Nd4j.zeros(DataType.DOUBLE, 5, 3));
        String message = rejected(new Adam(), unknown);
        assertTrue(message.contains("adam.w.") && message.contains("adam.m.<parameter>"), message);

        Map<String, INDArray> missingV = adamState();
        missingV.remove("adam.v." + ParameterShapes.EMBEDDING);
        assertTrue(rejected(new Adam(), missingV).contains("adam.v." + ParameterShapes.EMBEDDING));

        Map<String, INDArray> zeroStepsWithBuffers = adamState();
        zeroStepsWithBuffers.put("adam.t", Nd4j.createFromArray(0.0));
        assertTrue(rejected(new Adam(), zeroStepsWithBuffers).contains("adam.t is 0"));

        Map<String, INDArray> stepsWithoutBuffers = new LinkedHashMap<>();
        stepsWithoutBuffers.put("adam.t", Nd4j.createFromArray(3.0));
        assertTrue(rejected(new Adam(), stepsWithoutBuffers).contains("adam.t is 3"));

        assertTrue(rejected(new RmsProp(), adamState()).contains("rmsprop.t"), "another optimizer's state");
        Map<String, INDArray> momentum = twoStepState(new Sgd(0.9));
        assertTrue(rejected(new Sgd(), momentum).contains("sgd.v."), "momentum state into plain sgd");
    }

    @Test
    void loadingAFreshStateResetsTheOptimizer() {
        Parameters parameters = parameters(DataType.DOUBLE);
        Adam adam = new Adam();
        Map<String, INDArray> fresh = adam.state();
        twoSteps(adam, parameters, 0.01);
        adam.loadState(fresh);
        assertEquals(List.of("adam.t"), List.copyOf(adam.state().keySet()));

        Parameters again = parameters(DataType.DOUBLE);
        List<double[]> expected = values(again);
        Parameters reference = parameters(DataType.DOUBLE);
        twoSteps(new Adam(), reference, 0.01);
        twoSteps(adam, again, 0.01);
        List<double[]> actual = values(again);
        List<double[]> wanted = values(reference);
        for (int p = 0; p < expected.size(); p++) {
            assertArrayEquals(wanted.get(p), actual.get(p));
        }
    }

    // ---- factory -------------------------------------------------------------------------------

    @Test
    void factoryAcceptsNamesInAnyCase() {
        assertInstanceOf(Sgd.class, Optimizers.create("sgd", 0));
        assertEquals(0.9, ((Sgd) Optimizers.create("SGD", 0.9)).momentum());
        assertInstanceOf(RmsProp.class, Optimizers.create("RMSprop", 0));
        Adam adam = assertInstanceOf(Adam.class, Optimizers.create("Adam", 0));
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.epsilon());
        RmsProp rmsProp = (RmsProp) Optimizers.create("rmsprop", 0);
        assertEquals(0.9, rmsProp.rho());
        assertEquals(1e-7, rmsProp.epsilon());
        assertEquals("rmsprop", rmsProp.name());
    }

    @Test
    void factoryRejectsUnknownNamesListingTheValidOnes() {
        for (String name : new String[] {"adagrad", "", null}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> Optimizers.create(name, 0));
            assertTrue(e.getMessage().startsWith("--optimizer") && e.getMessage().contains("sgd, rmsprop, adam"),
                    e.getMessage());
        }
    }

    @Test
    void factoryRejectsMomentumOutOfRangeOrUnused() {
        for (double momentum : new double[] {1.0, -0.1, Double.NaN, 1.5}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> Optimizers.create("sgd", momentum));
            assertTrue(e.getMessage().startsWith("--momentum"), e.getMessage());
        }
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> Optimizers.create("adam", 0.9));
        assertTrue(e.getMessage().startsWith("--momentum") && e.getMessage().contains("sgd"), e.getMessage());
    }
}
