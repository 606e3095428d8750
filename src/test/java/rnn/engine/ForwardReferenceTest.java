package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.loss.Loss;
import rnn.engine.loss.Softmax;

/**
 * The forward pass against an independent scalar implementation written from the cell equations
 * (plain double loops over the parameters read by their PyTorch names and layouts), so a forward
 * pass that is wrong but has matching gradients (swapped gates, z and 1-z exchanged, the wrong GRU
 * variant, a transposed weight) fails here even though the gradient check passes.
 */
class ForwardReferenceTest {
    private static final int VOCAB = 7;
    private static final int EMBEDDING = 3;
    private static final int HIDDEN = 4;
    private static final int BATCH = 2;
    private static final int STEPS = 2;
    private static final double TOLERANCE = 1e-12;

    record Case(CellType cell, boolean oneHot, int layers, Objective objective, boolean tied) {
        @Override
        public String toString() {
            return cell + (oneHot ? " one-hot" : " embedding") + " x" + layers + " " + objective + (tied ? " tied" : "");
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            for (boolean oneHot : new boolean[] {true, false}) {
                for (int layers = 1; layers <= 2; layers++) {
                    cases.add(new Case(cell, oneHot, layers, Objective.ALL, false));
                }
            }
            cases.add(new Case(cell, false, 2, Objective.LAST, false));
            cases.add(new Case(cell, false, 2, Objective.ALL, true));
        }
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsAndFinalStateMatchScalarReference(Case c) {
        int embedding = c.oneHot() ? 0 : c.tied() ? HIDDEN : EMBEDDING;
        ModelConfig config = new ModelConfig(c.cell(), VOCAB, embedding, HIDDEN, c.layers(), 0, c.tied());
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.8), 11, DataType.DOUBLE);
        SplittableRandom random = new SplittableRandom(5);
        int[] inputs = random.ints(BATCH * STEPS, 0, VOCAB).toArray();
        int predictions = c.objective() == Objective.ALL ? BATCH * STEPS : BATCH;
        int[] targets = random.ints(predictions, 0, VOCAB).toArray();
        Batch batch = new Batch(BATCH, STEPS, inputs, targets, c.objective());
        RecurrentState initial = model.newState(BATCH);
        GradientCheckTest.randomize(initial, config, random);

        Reference reference = new Reference(model, initial);
        double[][] expectedLogits = reference.run(inputs);

        RecurrentState state = initial.copy();
        INDArray logits = model.logits(batch, state).dup();
        assertArrayEquals(new long[] {predictions, VOCAB}, logits.shape(), "logits shape");
        double[][] actualLogits = logits.toDoubleMatrix();
        for (int m = 0; m < predictions; m++) {
            // Objective LAST predicts only from the last step: rows (T-1)*B + b of the reference.
            int row = c.objective() == Objective.ALL ? m : (STEPS - 1) * BATCH + m;
            assertArrayEquals(expectedLogits[row], actualLogits[m], TOLERANCE, c + ": logits row " + m);
        }
        for (int k = 0; k < c.layers(); k++) {
            assertMatrix(reference.hidden[k], state.hidden(k), c + ": final h of layer " + k);
            if (c.cell() == CellType.LSTM) {
                assertMatrix(reference.cell[k], state.cell(k), c + ": final c of layer " + k);
            }
        }

        // Log-softmax of the targets, from the engine's softmax and as the summed cross-entropy.
        double expectedLoss = 0;
        double[] expectedLogP = new double[predictions];
        for (int m = 0; m < predictions; m++) {
            int row = c.objective() == Objective.ALL ? m : (STEPS - 1) * BATCH + m;
            expectedLogP[m] = logSoftmax(expectedLogits[row])[targets[m]];
            expectedLoss -= expectedLogP[m];
        }
        double[] logP = Softmax.into(logits, targets, logits.like()).targetLogProbabilities();
        assertArrayEquals(expectedLogP, logP, TOLERANCE, c + ": target log-probabilities");
        assertEquals(expectedLoss, model.loss(batch, initial.copy(), Loss.CROSS_ENTROPY), TOLERANCE,
                c + ": summed cross-entropy");
    }

    /**
     * One SimpleRNN step and a second one, worked out by hand. V=2, H=1, one-hot input:
     * <pre>
     *   W_ih = [0.5, -0.5]   b_ih = 0.25   W_hh = [0.5]   b_hh = -0.25   h_0 = 0
     *   decoder.weight = [[1], [-1]]   decoder.bias = [0, 0.5]
     *
     * step 1, token 0: a1 = W_ih[:,0] + b_ih + W_hh h_0 + b_hh = 0.5 + 0.25 + 0 - 0.25 = 0.5
     *   h1 = tanh(0.5) = (e - 1)/(e + 1) = 1.718281828459045 / 3.718281828459045 = 0.46211715726000974
     *   logits = [h1 + 0, -h1 + 0.5] = [0.46211715726000974, 0.03788284273999026]
     *   log-softmax = logits - log(e^0.46211715726000974 + e^0.03788284273999026)
     *               = logits - log(1.5874312714 + 1.0386095451) = logits - log(2.6260408165)
     *               = logits - 0.9654773190 = [-0.5033601617, -0.9275944763]
     * step 2, token 1: a2 = W_ih[:,1] + b_ih + W_hh h1 + b_hh = -0.5 + 0.25 + 0.5 * h1 - 0.25
     *                     = -0.5 + 0.23105857863000487 = -0.2689414213699951
     *   h2 = tanh(a2) = (e^(2 a2) - 1)/(e^(2 a2) + 1) = (0.5839833290 - 1)/(0.5839833290 + 1) = -0.2626395514
     *   logits = [h2, -h2 + 0.5] = [-0.2626395514, 0.7626395514]
     * </pre>
     */
    @Test
    void simpleRnnMatchesHandArithmetic() {
        ModelConfig config = new ModelConfig(CellType.RNN, 2, 0, 1, 1, 0, false);
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.1), 1, DataType.DOUBLE);
        Parameters p = model.parameters();
        p.value("rnn.weight_ih_l0").assign(Nd4j.createFromArray(new double[][] {{0.5, -0.5}}));
        p.value("rnn.bias_ih_l0").assign(0.25);
        p.value("rnn.weight_hh_l0").assign(0.5);
        p.value("rnn.bias_hh_l0").assign(-0.25);
        p.value("decoder.weight").assign(Nd4j.createFromArray(new double[][] {{1}, {-1}}));
        p.value("decoder.bias").assign(Nd4j.createFromArray(0.0, 0.5));

        Batch batch = new Batch(1, 2, new int[] {0, 1}, new int[] {0, 1}, Objective.ALL);
        RecurrentState state = model.newState(1);
        double[][] logits = model.logits(batch, state).toDoubleMatrix();

        assertArrayEquals(new double[] {0.46211715726000974, 0.03788284273999026}, logits[0], 1e-15, "step 1");
        assertArrayEquals(new double[] {-0.2626395514, 0.7626395514}, logits[1], 1e-9, "step 2");
        assertEquals(-0.2626395514, state.hidden(0).getDouble(0), 1e-9, "final h");
        double[] logP = Softmax.into(model.logits(batch, model.newState(1)), batch.targets(),
                Nd4j.create(DataType.DOUBLE, 2, 2)).targetLogProbabilities();
        assertEquals(-0.5033601617, logP[0], 1e-9, "log p(token 0) after step 1");
    }

    private static void assertMatrix(double[][] expected, INDArray actual, String message) {
        double[][] a = actual.toDoubleMatrix();
        assertEquals(expected.length, a.length, message);
        for (int b = 0; b < expected.length; b++) {
            assertArrayEquals(expected[b], a[b], TOLERANCE, message + ", sequence " + b);
        }
    }

    static double[] logSoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] - log;
        }
        return out;
    }

    /**
     * The model written out in scalars from the equations in the cell classes' Javadoc, reading
     * only parameter values by name (PyTorch layout: W_ih [G*H, In], gate block q = rows q*H..q*H+H-1).
     */
    static final class Reference {
        private final ModelConfig config;
        private final Parameters p;
        final double[][][] hidden;
        final double[][][] cell;

        Reference(LanguageModel model, RecurrentState initial) {
            this.config = model.config();
            this.p = model.parameters();
            int layers = config.layers();
            hidden = new double[layers][][];
            cell = new double[layers][][];
            for (int k = 0; k < layers; k++) {
                hidden[k] = initial.hidden(k).toDoubleMatrix();
                cell[k] = initial.cell(k) == null ? null : initial.cell(k).toDoubleMatrix();
            }
        }

        /** Runs all steps from the initial state; returns the logits of row t*B+b. */
        double[][] run(int[] inputs) {
            int batch = hidden[0].length;
            int steps = inputs.length / batch;
            double[][] logits = new double[steps * batch][];
            for (int t = 0; t < steps; t++) {
                for (int b = 0; b < batch; b++) {
                    double[] x = input(inputs[t * batch + b]);
                    for (int k = 0; k < config.layers(); k++) {
                        x = step(k, b, x);
                    }
                    logits[t * batch + b] = decode(x);
                }
            }
            return logits;
        }

        private double[] input(int id) {
            if (config.oneHot()) {
                double[] x = new double[config.vocabSize()];
                x[id] = 1;
                return x;
            }
            return p.value("embedding.weight").toDoubleMatrix()[id];
        }

        private double[] decode(double[] h) {
            String name = config.tied() ? "embedding.weight" : "decoder.weight";
            double[][] w = p.value(name).toDoubleMatrix();
            double[] bias = p.value("decoder.bias").toDoubleVector();
            double[] z = new double[w.length];
            for (int v = 0; v < w.length; v++) {
                z[v] = bias[v];
                for (int j = 0; j < h.length; j++) {
                    z[v] += w[v][j] * h[j];
                }
            }
            return z;
        }

        /** Advances layer k of sequence b by one step on input x; returns the new h. */
        private double[] step(int k, int b, double[] x) {
            double[][] wih = p.value("rnn.weight_ih_l" + k).toDoubleMatrix();
            double[][] whh = p.value("rnn.weight_hh_l" + k).toDoubleMatrix();
            double[] bih = p.value("rnn.bias_ih_l" + k).toDoubleVector();
            double[] bhh = p.value("rnn.bias_hh_l" + k).toDoubleVector();
            double[] hPrev = hidden[k][b];
            int n = hPrev.length;
            double[] h = new double[n];
            switch (config.cell()) {
                case RNN -> {
                    for (int j = 0; j < n; j++) {
                        h[j] = Math.tanh(dot(wih[j], x) + bih[j] + dot(whh[j], hPrev) + bhh[j]);
                    }
                }
                case RNN_RELU -> {
                    for (int j = 0; j < n; j++) {
                        h[j] = Math.max(0, dot(wih[j], x) + bih[j] + dot(whh[j], hPrev) + bhh[j]);
                    }
                }
                case LSTM -> {
                    double[] cPrev = cell[k][b];
                    double[] c = new double[n];
                    for (int j = 0; j < n; j++) {
                        double i = sigmoid(gate(wih, whh, bih, bhh, x, hPrev, 0, n, j));
                        double f = sigmoid(gate(wih, whh, bih, bhh, x, hPrev, 1, n, j));
                        double g = Math.tanh(gate(wih, whh, bih, bhh, x, hPrev, 2, n, j));
                        double o = sigmoid(gate(wih, whh, bih, bhh, x, hPrev, 3, n, j));
                        c[j] = f * cPrev[j] + i * g;
                        h[j] = o * Math.tanh(c[j]);
                    }
                    cell[k][b] = c;
                }
                case GRU -> {
                    for (int j = 0; j < n; j++) {
                        double r = sigmoid(gate(wih, whh, bih, bhh, x, hPrev, 0, n, j));
                        double z = sigmoid(gate(wih, whh, bih, bhh, x, hPrev, 1, n, j));
                        int row = 2 * n + j;
                        double cand = Math.tanh(dot(wih[row], x) + bih[row] + r * (dot(whh[row], hPrev) + bhh[row]));
                        h[j] = (1 - z) * cand + z * hPrev[j];
                    }
                }
                case GRU_CLASSIC -> {
                    double[] r = new double[n];
                    double[] z = new double[n];
                    double[] resetH = new double[n];
                    for (int j = 0; j < n; j++) {
                        r[j] = sigmoid(gate(wih, whh, bih, bhh, x, hPrev, 0, n, j));
                        z[j] = sigmoid(gate(wih, whh, bih, bhh, x, hPrev, 1, n, j));
                        resetH[j] = r[j] * hPrev[j];
                    }
                    for (int j = 0; j < n; j++) {
                        int row = 2 * n + j;
                        double cand = Math.tanh(dot(wih[row], x) + bih[row] + dot(whh[row], resetH) + bhh[row]);
                        h[j] = z[j] * cand + (1 - z[j]) * hPrev[j];
                    }
                }
                default -> throw new AssertionError(config.cell());
            }
            hidden[k][b] = h;
            return h;
        }

        /** Pre-activation of unit j of gate block q: W_ih[q] x + b_ih[q] + W_hh[q] h + b_hh[q]. */
        private static double gate(double[][] wih, double[][] whh, double[] bih, double[] bhh, double[] x,
                                   double[] h, int q, int n, int j) {
            int row = q * n + j;
            return dot(wih[row], x) + bih[row] + dot(whh[row], h) + bhh[row];
        }

        private static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) {
                s += a[i] * b[i];
            }
            return s;
        }

        private static double sigmoid(double a) {
            return 1 / (1 + Math.exp(-a));
        }
    }
}
