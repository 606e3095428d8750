package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.InvalidConfigException;
import rnn.engine.loss.Loss;

/**
 * The adaptive softmax output ({@link AdaptiveOutput}, {@link AdaptiveSoftmax}): a hand-computed
 * case, a normalised distribution, analytic gradients against finite differences in double for
 * the head and every tail (through the whole network), and the float engine against the double one.
 */
class AdaptiveSoftmaxTest {

    /**
     * V = 5, cutoffs [2, 4], H = 2, div 1: head rows give logits (1, 2, 0, 3) for h = (1, 0)
     * (words 0 and 1, then clusters 0 and 1); cluster 0's projection is the identity and its
     * output rows give logits (0.5, -0.5) for words 2 and 3; cluster 1 holds word 4 alone.
     */
    @Test
    void aTinyCaseMatchesValuesComputedByHand() {
        ModelConfig config = new ModelConfig(CellType.RNN, 5, 2, 2, 1, 0, false,
                new AdaptiveOutput(List.of(2, 4), 1.0));
        Map<String, INDArray> values = new LinkedHashMap<>();
        ParameterShapes.of(config).forEach((name, shape) -> values.put(name, Nd4j.zeros(DataType.DOUBLE, shape)));
        values.put(ParameterShapes.ADAPTIVE_HEAD, Nd4j.createFromArray(new double[][] {{1, 7}, {2, 7}, {0, 7}, {3, 7}}));
        values.put(ParameterShapes.tailProjection(0), Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}}));
        values.put(ParameterShapes.tailOutput(0), Nd4j.createFromArray(new double[][] {{0.5, 9}, {-0.5, 9}}));
        values.put(ParameterShapes.tailProjection(1), Nd4j.createFromArray(new double[][] {{1, 1}, {1, 1}}));
        values.put(ParameterShapes.tailOutput(1), Nd4j.createFromArray(new double[][] {{4, 4}}));
        LanguageModel model = LanguageModel.fromValues(config, values);
        INDArray h = Nd4j.createFromArray(new double[][] {{1, 0}});

        double headSum = Math.exp(1) + Math.exp(2) + Math.exp(0) + Math.exp(3);
        double tailSum = Math.exp(0.5) + Math.exp(-0.5);
        double[] expected = {
            Math.exp(1) / headSum,
            Math.exp(2) / headSum,
            Math.exp(0) / headSum * Math.exp(0.5) / tailSum,
            Math.exp(0) / headSum * Math.exp(-0.5) / tailSum,
            Math.exp(3) / headSum,
        };
        INDArray logP = Nd4j.create(DataType.DOUBLE, 1, 5);
        new AdaptiveSoftmax(config, model.parameters(), 1).logProbabilities(h, 1, logP);
        for (int w = 0; w < 5; w++) {
            assertEquals(Math.log(expected[w]), logP.getDouble(0, w), 1e-12, "log p(" + w + ")");
        }
        for (int target = 0; target < 5; target++) {
            double[] scored = new AdaptiveSoftmax(config, model.parameters(), 1)
                    .targetLogProbabilities(h, new int[] {target});
            assertEquals(Math.log(expected[target]), scored[0], 1e-12, "scored log p(" + target + ")");
        }

        // Word 3: head target is cluster 0's logit (index 2), tail target its second word.
        INDArray dTop = Nd4j.create(DataType.DOUBLE, 1, 2);
        double loss = new AdaptiveSoftmax(config, model.parameters(), 1)
                .crossEntropyGradient(h, new int[] {3}, 1.0, dTop);
        assertEquals(-Math.log(expected[3]), loss, 1e-12);
        double[] headP = {Math.exp(1) / headSum, Math.exp(2) / headSum, Math.exp(0) / headSum, Math.exp(3) / headSum};
        double[] tailP = {Math.exp(0.5) / tailSum, Math.exp(-0.5) / tailSum};
        double[][] headGradient = new double[4][2];
        for (int j = 0; j < 4; j++) {
            headGradient[j][0] = headP[j] - (j == 2 ? 1 : 0);  // times h = (1, 0)
        }
        assertArrayEquals(flat(headGradient),
                model.parameters().gradient(ParameterShapes.ADAPTIVE_HEAD).ravel().toDoubleVector(), 1e-12);
        // z = W1 p with p = h: dW1 = dz^T p.
        double[][] outputGradient = {{tailP[0], 0}, {tailP[1] - 1, 0}};
        assertArrayEquals(flat(outputGradient),
                model.parameters().gradient(ParameterShapes.tailOutput(0)).ravel().toDoubleVector(), 1e-12);
        // Cluster 1 saw no row: its gradients are zero.
        assertArrayEquals(new double[4],
                model.parameters().gradient(ParameterShapes.tailProjection(1)).ravel().toDoubleVector());
        // dh = dhead W_head + dp W0 with dp = dz W1.
        double[] dz = {tailP[0], tailP[1] - 1};
        double[] dp = {dz[0] * 0.5 + dz[1] * -0.5, dz[0] * 9 + dz[1] * 9};
        double[][] headWeight = {{1, 7}, {2, 7}, {0, 7}, {3, 7}};
        double[] dh = {dp[0], dp[1]};
        for (int j = 0; j < 4; j++) {
            dh[0] += headGradient[j][0] * headWeight[j][0];
            dh[1] += headGradient[j][0] * headWeight[j][1];
        }
        assertArrayEquals(dh, dTop.ravel().toDoubleVector(), 1e-12);
    }

    private static double[] flat(double[][] a) {
        return Arrays.stream(a).flatMapToDouble(Arrays::stream).toArray();
    }

    @Test
    void everyRowsProbabilitiesSumToOneOverTheWholeVocabulary() {
        ModelConfig config = new ModelConfig(CellType.LSTM, 300, 16, 16, 2, 0, false,
                new AdaptiveOutput(List.of(20, 100, 250), 2.0));
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.5), 4, DataType.FLOAT);
        SplittableRandom random = new SplittableRandom(5);
        int batch = 3;
        int steps = 50;  // 150 rows: more than one pass of whole distributions
        INDArray logP = model.logits(new Batch(batch, steps, random.ints(batch * steps, 0, 300).toArray(), null,
                Objective.ALL), null);
        for (int r = 0; r < batch * steps; r++) {
            double sum = 0;
            for (double v : logP.getRow(r).toDoubleVector()) {
                sum += Math.exp(v);
            }
            assertEquals(1.0, sum, 1e-5, "row " + r);
        }
    }

    @Test
    void scoringGivesTheWholeDistributionsTargetValues() {
        ModelConfig config = new ModelConfig(CellType.GRU, 300, 16, 16, 1, 0, false,
                new AdaptiveOutput(List.of(20, 100, 250), 2.0));
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.5), 4, DataType.FLOAT);
        SplittableRandom random = new SplittableRandom(6);
        int[] inputs = random.ints(2 * 40, 0, 300).toArray();
        int[] targets = random.ints(2 * 40, 0, 300).toArray();
        Batch batch = new Batch(2, 40, inputs, targets, Objective.ALL);
        double[] scored = model.targetLogProbabilities(batch, null);
        INDArray whole = model.logits(batch, null);
        for (int r = 0; r < targets.length; r++) {
            assertEquals(whole.getDouble(r, targets[r]), scored[r], 1e-5, "row " + r);
        }
        assertEquals(-Arrays.stream(scored).sum(), model.loss(batch, null, Loss.CROSS_ENTROPY), 1e-3);
    }

    record Case(CellType cell, int layers, Objective objective, double dropout) {
        @Override
        public String toString() {
            return cell + " x" + layers + " " + objective + (dropout > 0 ? " dropout" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            cases.add(new Case(cell, 1, Objective.ALL, 0));
        }
        cases.add(new Case(CellType.LSTM, 2, Objective.ALL, 0));
        cases.add(new Case(CellType.LSTM, 1, Objective.LAST, 0));
        cases.add(new Case(CellType.LSTM, 2, Objective.ALL, 0.3));
        cases.add(new Case(CellType.GRU, 1, Objective.ALL, 0.3));
        return cases.stream().map(Arguments::of);
    }

    /** V = 9, cutoffs [3, 6], H = 4, div 2: projections of 2 and 1 units. */
    private static ModelConfig gradientConfig(Case c) {
        return new ModelConfig(c.cell(), 9, 4, 4, c.layers(), c.dropout(), false,
                new AdaptiveOutput(List.of(3, 6), 2.0));
    }

    /** Targets that fall in the shortlist and in every tail cluster, several rows each. */
    private static int[] targets(int n, SplittableRandom random) {
        int[] targets = random.ints(n, 0, 9).toArray();
        for (int i = 0; i < Math.min(n, 9); i++) {
            targets[i] = i;
        }
        return targets;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void analyticGradientsMatchFiniteDifferences(Case c) {
        ModelConfig config = gradientConfig(c);
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.5), 42, DataType.DOUBLE);
        SplittableRandom random = new SplittableRandom(7);
        int batchSize = c.objective() == Objective.LAST ? 9 : 3;
        int steps = 3;
        int[] inputs = random.ints(batchSize * steps, 0, 9).toArray();
        int predictions = c.objective() == Objective.LAST ? batchSize : batchSize * steps;
        Batch batch = new Batch(batchSize, steps, inputs, targets(predictions, random), c.objective());
        RecurrentState initial = model.newState(batchSize);
        GradientCheckTest.randomize(initial, config, random);
        long dropoutSeed = 99;

        model.computeGradients(batch, initial.copy(), Loss.CROSS_ENTROPY, dropoutSeed);
        GradientCheckTest.assertGradientsMatchFiniteDifferences(model.parameters(),
                () -> meanLoss(model, batch, initial, c, dropoutSeed), c.toString());
    }

    private static double meanLoss(LanguageModel model, Batch batch, RecurrentState initial, Case c, long seed) {
        if (c.dropout() > 0) {
            return model.computeGradients(batch, initial.copy(), Loss.CROSS_ENTROPY, seed);
        }
        return -Arrays.stream(model.targetLogProbabilities(batch, initial.copy())).sum() / batch.predictions();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void floatMatchesDouble(Case c) {
        ModelConfig config = new ModelConfig(c.cell(), 200, 16, 16, c.layers(), c.dropout(), false,
                new AdaptiveOutput(List.of(10, 40, 120), 2.0));
        LanguageModel exact = LanguageModel.initialize(config, Initialization.uniform(0.3), 42, DataType.DOUBLE);
        Map<String, INDArray> asFloat = new LinkedHashMap<>();
        exact.parameters().values().forEach((name, value) -> asFloat.put(name, value.castTo(DataType.FLOAT)));
        LanguageModel fast = LanguageModel.fromValues(config, asFloat);
        SplittableRandom random = new SplittableRandom(9);
        int batchSize = 5;
        int steps = 7;
        RecurrentState exactState = exact.newState(batchSize);
        RecurrentState fastState = fast.newState(batchSize);
        for (int round = 0; round < 2; round++) {
            int predictions = c.objective() == Objective.LAST ? batchSize : batchSize * steps;
            // Zipf-like targets: most in the head, some in every cluster.
            int[] targets = new int[predictions];
            for (int i = 0; i < predictions; i++) {
                targets[i] = (int) Math.min(199, Math.floor(Math.exp(random.nextDouble() * Math.log(200))));
            }
            Batch batch = new Batch(batchSize, steps, random.ints(batchSize * steps, 0, 200).toArray(), targets,
                    c.objective());
            double exactLoss = exact.computeGradients(batch, exactState, Loss.CROSS_ENTROPY, 1 + round);
            double fastLoss = fast.computeGradients(batch, fastState, Loss.CROSS_ENTROPY, 1 + round);
            assertEquals(exactLoss, fastLoss, 1e-5 * Math.abs(exactLoss) + 1e-7, c + ": loss, round " + round);
            for (String name : exact.parameters().values().keySet()) {
                double[] want = exact.parameters().gradient(name).ravel().toDoubleVector();
                double[] got = fast.parameters().gradient(name).castTo(DataType.DOUBLE).ravel().toDoubleVector();
                double scale = 1e-12;
                for (double w : want) {
                    scale = Math.max(scale, Math.abs(w));
                }
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4 * scale, c + ": " + name + "[" + i + "], round " + round);
                }
            }
        }
    }

    /**
     * The top k of {@link LanguageModel#lastTopK} is exactly the top k of the whole distribution
     * ({@link LanguageModel#lastLogits}), for k within the shortlist and beyond it; a small k skips
     * tail clusters, a k as large as the vocabulary computes them all.
     */
    @Test
    void topKIsExactAndSkipsClustersThatCannotHoldACandidate() {
        ModelConfig config = new ModelConfig(CellType.LSTM, 400, 16, 16, 1, 0, false,
                new AdaptiveOutput(List.of(40, 100, 200, 300), 1.5));
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.5), 8, DataType.FLOAT);
        // Peaked tails: a cluster's best word then holds nearly all of its probability, so a wrongly
        // skipped cluster loses a word that belongs in the top k.
        for (int i = 0; i < 4; i++) {
            model.parameters().value(ParameterShapes.tailOutput(i)).muli(30);
        }
        model.parameters().value(ParameterShapes.ADAPTIVE_HEAD).muli(10);  // spread: some clusters ahead of most words
        SplittableRandom random = new SplittableRandom(3);
        int[][] contexts = {random.ints(5, 0, 400).toArray(), random.ints(2, 0, 400).toArray(),
                random.ints(7, 0, 400).toArray()};
        for (int k : new int[] {1, 5, 60, 400}) {
            INDArray whole = model.lastLogits(contexts).dup();
            LanguageModel.TopTokens top = model.lastTopK(contexts, k);
            for (int b = 0; b < contexts.length; b++) {
                double[] row = whole.getRow(b).toDoubleVector();
                Integer[] order = new Integer[row.length];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (x, y) -> Double.compare(row[y], row[x]));  // stable: ties by lower id
                assertEquals(k, top.ids()[b].length);
                for (int c = 0; c < k; c++) {
                    assertEquals(row[order[c]], top.logProbabilities()[b][c], 1e-5, "k " + k + " row " + b + " #" + c);
                    assertEquals(row[top.ids()[b][c]], top.logProbabilities()[b][c], 1e-5, "k " + k + " row " + b);
                }
            }
            if (k == 400) {
                assertEquals(3 * 4, top.clustersComputed(), "every cluster can hold one of all the words");
            }
        }
        LanguageModel.TopTokens few = model.lastTopK(contexts, 1);
        assertTrue(few.clustersComputed() < 3 * 4, "a top-1 needs few clusters, computed " + few.clustersComputed());
    }

    @Test
    void defaultCutoffsFollowTheDocumentedRule() {
        assertEquals(List.of(2000), AdaptiveOutput.defaultFor(10_000, 200, 4).cutoffs());
        assertEquals(List.of(2000, 10000), AdaptiveOutput.defaultFor(50_000, 200, 4).cutoffs());
        assertEquals(List.of(2000, 10000, 50000), AdaptiveOutput.defaultFor(250_000, 200, 4).cutoffs());
        assertEquals(List.of(2000, 10000, 50000, 250000), AdaptiveOutput.defaultFor(262_917, 1000, 4).cutoffs());
        // H = 200, div 4: a fourth cluster would get a projection of 200 / 256 = 0 units.
        assertEquals(List.of(2000, 10000, 50000), AdaptiveOutput.defaultFor(262_917, 200, 4).cutoffs());
        // H = 20, div 4: only two clusters keep a projection of at least one unit (5, 1).
        assertEquals(List.of(2000, 10000), AdaptiveOutput.defaultFor(262_917, 20, 4).cutoffs());
        assertEquals(List.of(50), AdaptiveOutput.defaultFor(100, 200, 4).cutoffs());
        for (int v : new int[] {2, 3, 2000, 2001, 2002, 10_001, 50_002}) {
            AdaptiveOutput spec = AdaptiveOutput.defaultFor(v, 8, 4);
            spec.requireFits(v, 8);  // always valid
        }
    }

    @Test
    void impossibleSettingsAreRefusedNamingTheOption() {
        assertTrue(assertThrows(InvalidConfigException.class, () -> new AdaptiveOutput(List.of(10, 5), 4))
                .getMessage().startsWith("--cutoffs must be strictly increasing"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> new AdaptiveOutput(List.of(0, 5), 4))
                .getMessage().startsWith("--cutoffs must be positive"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> new AdaptiveOutput(List.of(5), 0))
                .getMessage().startsWith("--div-value must be positive"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> new ModelConfig(CellType.LSTM, 10, 8, 8, 1, 0,
                false, new AdaptiveOutput(List.of(5, 10), 2))).getMessage().startsWith("--cutoffs must be at most"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> new ModelConfig(CellType.LSTM, 100, 8, 8, 1, 0,
                false, new AdaptiveOutput(List.of(5, 10, 20, 40), 2))).getMessage().startsWith("--div-value 2.0 with"
                + " --hidden 8 leaves tail cluster 3 a projection of 0 units"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> new ModelConfig(CellType.LSTM, 100, 8, 8, 1, 0,
                true, new AdaptiveOutput(List.of(5), 2))).getMessage().startsWith("--tied cannot be combined"));
    }

    @Test
    void parametersAreNamedAsPyTorchsModule() {
        ModelConfig config = new ModelConfig(CellType.LSTM, 300, 0, 16, 1, 0, false,
                new AdaptiveOutput(List.of(20, 100, 250), 2.0));
        Map<String, long[]> shapes = ParameterShapes.of(config);
        assertArrayEquals(new long[] {23, 16}, shapes.get("decoder.head.weight"));
        assertArrayEquals(new long[] {8, 16}, shapes.get("decoder.tail.0.0.weight"));
        assertArrayEquals(new long[] {80, 8}, shapes.get("decoder.tail.0.1.weight"));
        assertArrayEquals(new long[] {4, 16}, shapes.get("decoder.tail.1.0.weight"));
        assertArrayEquals(new long[] {150, 4}, shapes.get("decoder.tail.1.1.weight"));
        assertArrayEquals(new long[] {2, 16}, shapes.get("decoder.tail.2.0.weight"));
        assertArrayEquals(new long[] {50, 2}, shapes.get("decoder.tail.2.1.weight"));
        assertTrue(!shapes.containsKey(ParameterShapes.DECODER_WEIGHT) && !shapes.containsKey(ParameterShapes.DECODER_BIAS));
    }
}
