package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.loss.Loss;

/**
 * The engine's acceptance test: analytic gradients against central finite differences in double
 * precision, for every cell, input kind, depth, objective, loss, tying and dropout, starting from
 * a non-zero carried state.
 */
class GradientCheckTest {
    private static final int VOCAB = 5;
    private static final int HIDDEN = 3;
    private static final int BATCH = 2;
    private static final int STEPS = 3;
    private static final double EPSILON = 1e-5;
    private static final double TOLERANCE = 1e-6;

    record Case(CellType cell, boolean oneHot, int layers, Objective objective, Loss loss, boolean tied,
                double dropout) {
        @Override
        public String toString() {
            return cell + (oneHot ? " one-hot" : " embedding") + " x" + layers + " " + objective + " " + loss
                    + (tied ? " tied" : "") + (dropout > 0 ? " dropout" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            for (boolean oneHot : new boolean[] {true, false}) {
                for (int layers = 1; layers <= 2; layers++) {
                    for (Objective objective : Objective.values()) {
                        cases.add(new Case(cell, oneHot, layers, objective, Loss.CROSS_ENTROPY, false, 0));
                    }
                }
            }
            for (Loss loss : new Loss[] {Loss.MEAN_SQUARED_ERROR, Loss.KL_DIVERGENCE}) {
                cases.add(new Case(cell, false, 2, Objective.ALL, loss, false, 0));
                cases.add(new Case(cell, true, 1, Objective.LAST, loss, false, 0));
            }
            cases.add(new Case(cell, false, 2, Objective.ALL, Loss.CROSS_ENTROPY, true, 0));
            cases.add(new Case(cell, false, 1, Objective.LAST, Loss.CROSS_ENTROPY, true, 0));
            cases.add(new Case(cell, false, 2, Objective.ALL, Loss.CROSS_ENTROPY, true, 0.3));
            cases.add(new Case(cell, false, 1, Objective.ALL, Loss.CROSS_ENTROPY, false, 0.3));
            cases.add(new Case(cell, false, 1, Objective.LAST, Loss.CROSS_ENTROPY, false, 0.3));
        }
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void analyticGradientsMatchFiniteDifferences(Case c) {
        Fixture f = fixture(new ModelConfig(c.cell(), VOCAB, c.oneHot() ? 0 : HIDDEN, HIDDEN, c.layers(),
                c.dropout(), c.tied()), c.objective());
        LanguageModel model = f.model();
        Batch batch = f.batch();
        RecurrentState initial = f.initial();
        long dropoutSeed = 99;

        model.computeGradients(batch, initial.copy(), c.loss(), dropoutSeed);
        assertGradientsMatchFiniteDifferences(model.parameters(), () -> meanLoss(model, batch, initial, c, dropoutSeed),
                c.toString());
    }

    /** AWD-LSTM's regularisers: locked dropout, embedding dropout (dropoute), weight drop (wdrop). */
    record Regularised(CellType cell, int layers, Objective objective, boolean tied, double dropout, boolean locked,
                       double dropoute, double wdrop) {
        @Override
        public String toString() {
            return cell + " x" + layers + " " + objective + (tied ? " tied" : "") + (dropout > 0 ? (locked ? " locked"
                    : "") + " dropout " + dropout : "") + (dropoute > 0 ? " dropoute " + dropoute : "")
                    + (wdrop > 0 ? " wdrop " + wdrop : "");
        }
    }

    static Stream<Arguments> regularisedCases() {
        List<Regularised> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            cases.add(new Regularised(cell, 2, Objective.ALL, false, 0.3, true, 0, 0));
            cases.add(new Regularised(cell, 1, Objective.LAST, false, 0.3, true, 0, 0));
            cases.add(new Regularised(cell, 2, Objective.ALL, false, 0, false, 0, 0.4));
            cases.add(new Regularised(cell, 1, Objective.ALL, true, 0, false, 0.4, 0));
            cases.add(new Regularised(cell, 2, Objective.ALL, false, 0, false, 0.4, 0));
            cases.add(new Regularised(cell, 2, Objective.ALL, true, 0.3, true, 0.4, 0.4));
        }
        return cases.stream().map(Arguments::of);
    }

    /**
     * The regularisers' masks are drawn from the step's seed, so each finite-difference evaluation
     * (a training pass with the same seed) sees the same masks as the analytic gradient did.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("regularisedCases")
    void regularisedGradientsMatchFiniteDifferences(Regularised c) {
        Fixture f = fixture(new ModelConfig(c.cell(), VOCAB, HIDDEN, HIDDEN, c.layers(), c.dropout(), c.tied())
                .withRegularizers(c.locked(), c.dropoute(), c.wdrop()), c.objective());
        LanguageModel model = f.model();
        Batch batch = f.batch();
        RecurrentState initial = f.initial();
        long seed = 99;

        double trainingLoss = model.computeGradients(batch, initial.copy(), Loss.CROSS_ENTROPY, seed);
        double evaluationLoss = model.loss(batch, initial.copy(), Loss.CROSS_ENTROPY) / batch.predictions();
        assertTrue(trainingLoss != evaluationLoss, c + ": the training pass applied no mask");
        assertGradientsMatchFiniteDifferences(model.parameters(),
                () -> model.computeGradients(batch, initial.copy(), Loss.CROSS_ENTROPY, seed), c.toString());
    }

    /** A model seeded with uniform(0.5) weights, a random batch and a random initial state, all seeded. */
    private record Fixture(LanguageModel model, Batch batch, RecurrentState initial) {
    }

    private static Fixture fixture(ModelConfig config, Objective objective) {
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.5), 42, DataType.DOUBLE);
        SplittableRandom random = new SplittableRandom(7);
        int[] inputs = random.ints(BATCH * STEPS, 0, VOCAB).toArray();
        int[] targets = random.ints(BATCH * STEPS, 0, VOCAB).toArray();
        Batch batch = new Batch(BATCH, STEPS, inputs, targets, objective);
        RecurrentState initial = model.newState(BATCH);
        randomize(initial, config, random);
        return new Fixture(model, batch, initial);
    }

    /**
     * Each parameter's analytic gradient (as the last computeGradients left it) against central
     * differences of {@code meanLoss}, relative error under {@value #TOLERANCE}; no gradient all zero.
     */
    static void assertGradientsMatchFiniteDifferences(Parameters parameters, DoubleSupplier meanLoss, String label) {
        // Copy every analytic gradient first: the dropout cases' evaluations overwrite them.
        Map<String, INDArray> analyticGradients = new java.util.LinkedHashMap<>();
        parameters.gradients().forEach((name, gradient) -> analyticGradients.put(name, gradient.dup()));
        for (Map.Entry<String, INDArray> entry : parameters.values().entrySet()) {
            String name = entry.getKey();
            INDArray value = entry.getValue();
            INDArray analytic = analyticGradients.get(name);
            INDArray numeric = analytic.like();
            for (long i = 0; i < value.length(); i++) {
                double original = value.getDouble(i);
                value.putScalar(i, original + EPSILON);
                double plus = meanLoss.getAsDouble();
                value.putScalar(i, original - EPSILON);
                double minus = meanLoss.getAsDouble();
                value.putScalar(i, original);
                numeric.putScalar(i, (plus - minus) / (2 * EPSILON));
            }
            double difference = analytic.sub(numeric).norm2Number().doubleValue();
            double scale = analytic.norm2Number().doubleValue() + numeric.norm2Number().doubleValue();
            double relative = scale == 0 ? 0 : difference / scale;
            assertTrue(scale > 0, label + ": " + name + " has an all-zero gradient");
            assertTrue(relative < TOLERANCE, label + ": " + name + " relative error " + relative
                    + "\nanalytic " + java.util.Arrays.toString(analytic.data().asDouble()) + "\nnumeric  " + java.util.Arrays.toString(numeric.data().asDouble()));
        }
    }

    /** The training loss; forward-only unless dropout needs the training pass's masks. */
    private static double meanLoss(LanguageModel model, Batch batch, RecurrentState initial, Case c, long seed) {
        if (c.dropout() > 0) {
            return model.computeGradients(batch, initial.copy(), c.loss(), seed);
        }
        return model.loss(batch, initial.copy(), c.loss()) / batch.predictions();
    }

    /** A non-zero initial state, as carried from a previous chunk. */
    static void randomize(RecurrentState state, ModelConfig config, SplittableRandom random) {
        for (int k = 0; k < config.layers(); k++) {
            fill(state.hidden(k), random);
            if (state.cell(k) != null) {
                fill(state.cell(k), random);
            }
        }
    }

    private static void fill(INDArray a, SplittableRandom random) {
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, random.nextDouble(-0.8, 0.8));
        }
    }
}
