package rnn.engine;

import rnn.engine.loss.Softmax;

import java.util.Arrays;
import java.util.Map;

/**
 * {@link LanguageModel}'s forward pass for one context, in plain Java over the stored float weights
 * with double arithmetic: no ND4J, so a short prompt never starts the native backend (about half a
 * second) for what is a few hundred thousand multiply-adds. The same maths as the engine's cells
 * and outputs, for every cell kind, embedding or one-hot input, a tied or own decoder and the full
 * or adaptive softmax; its probabilities agree with the float engine's to float rounding. One
 * context at a time, one multiply-add after another: for long texts and batches the engine's
 * matrix products are the fast way. Not thread-safe (reused buffers); the weights are only read.
 */
public final class PlainLanguageModel {
    private final ModelConfig config;
    private final int hidden;
    /** [V, E] row-major, or null for one-hot input (layer 0 then reads a column of its W_ih). */
    private final float[] embedding;
    private final float[][] weightIh;
    private final float[][] weightHh;
    private final float[][] biasIh;
    private final float[][] biasHh;
    /** The full softmax's [V, H] decoder weight (the embedding when tied) and bias; null for the adaptive one. */
    private final float[] decoder;
    private final float[] decoderBias;
    /** The adaptive softmax's head [c0 + clusters, H] and each tail's projection [P_i, H] and output [size_i, P_i]. */
    private final float[] head;
    private final float[][] tailProjection;
    private final float[][] tailOutput;
    /** Per layer, h (and c for the LSTM) of the context read so far. */
    private final double[][] state;
    private final double[][] cellState;
    /** A step's input pre-activations, its recurrent ones, and scratch of width H. */
    private final double[] input;
    private final double[] recurrent;
    private final double[] scratch;
    private final double[] embedded;

    /** Over {@code weights}, named and shaped as {@link ParameterShapes#of} lists them for {@code config}. */
    public PlainLanguageModel(ModelConfig config, Map<String, float[]> weights) {
        Map<String, long[]> shapes = ParameterShapes.of(config);
        if (!shapes.keySet().equals(weights.keySet())) {
            throw new IllegalArgumentException("parameters " + weights.keySet() + " do not match " + shapes.keySet());
        }
        shapes.forEach((name, shape) -> {
            if (weights.get(name).length != ParameterShapes.elements(shape)) {
                throw new IllegalArgumentException("parameter " + name + " has " + weights.get(name).length
                        + " values, expected " + Arrays.toString(shape));
            }
        });
        this.config = config;
        this.hidden = config.hiddenSize();
        int layers = config.layers();
        embedding = config.oneHot() ? null : weights.get(ParameterShapes.EMBEDDING);
        weightIh = new float[layers][];
        weightHh = new float[layers][];
        biasIh = new float[layers][];
        biasHh = new float[layers][];
        for (int k = 0; k < layers; k++) {
            weightIh[k] = weights.get(ParameterShapes.weightIh(k));
            weightHh[k] = weights.get(ParameterShapes.weightHh(k));
            biasIh[k] = weights.get(ParameterShapes.biasIh(k));
            biasHh[k] = weights.get(ParameterShapes.biasHh(k));
        }
        AdaptiveOutput adaptive = config.adaptive();
        if (adaptive == null) {
            decoder = weights.get(config.tied() ? ParameterShapes.EMBEDDING : ParameterShapes.DECODER_WEIGHT);
            decoderBias = weights.get(ParameterShapes.DECODER_BIAS);
            head = null;
            tailProjection = null;
            tailOutput = null;
        } else {
            decoder = null;
            decoderBias = null;
            head = weights.get(ParameterShapes.ADAPTIVE_HEAD);
            tailProjection = new float[adaptive.clusters()][];
            tailOutput = new float[adaptive.clusters()][];
            for (int i = 0; i < adaptive.clusters(); i++) {
                tailProjection[i] = weights.get(ParameterShapes.tailProjection(i));
                tailOutput[i] = weights.get(ParameterShapes.tailOutput(i));
            }
        }
        int width = config.cell().gates() * hidden;
        state = new double[layers][hidden];
        cellState = config.cell() == CellType.LSTM ? new double[layers][hidden] : null;
        input = new double[width];
        recurrent = new double[width];
        scratch = new double[hidden];
        embedded = new double[config.oneHot() ? 0 : config.embeddingSize()];
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * The multiply-adds of reading {@code tokens} tokens and then the output over the whole
     * vocabulary: what {@link #lastLogits} costs, to choose between it and the engine.
     */
    public static long multiplyAdds(ModelConfig config, int tokens) {
        long h = config.hiddenSize();
        long gates = (long) config.cell().gates() * h;
        long perToken = 0;
        for (int k = 0; k < config.layers(); k++) {
            perToken += gates * ((k == 0 && config.oneHot() ? 1 : config.inputSize(k)) + h);
        }
        long output;
        AdaptiveOutput adaptive = config.adaptive();
        if (adaptive == null) {
            output = config.vocabSize() * h;
        } else {
            output = adaptive.headSize() * h;
            for (int i = 0; i < adaptive.clusters(); i++) {
                long projection = adaptive.projectionSize(i, config.hiddenSize());
                long size = adaptive.clusterEnd(i, config.vocabSize()) - adaptive.clusterStart(i);
                output += projection * (h + size);
            }
        }
        return perToken * tokens + output;
    }

    /**
     * After reading {@code ids} from the zero state (none: the distribution before any input): the
     * full softmax's logits over the vocabulary, or the adaptive softmax's log-probabilities (their
     * softmax is the same distribution), as {@link LanguageModel#lastLogits} gives them.
     */
    public double[] lastLogits(int[] ids) {
        for (double[] h : state) {
            Arrays.fill(h, 0.0);
        }
        if (cellState != null) {
            for (double[] c : cellState) {
                Arrays.fill(c, 0.0);
            }
        }
        for (int id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + config.vocabSize());
            }
            step(id);
        }
        double[] top = state[state.length - 1];
        return config.hasAdaptiveOutput() ? adaptiveLogProbabilities(top) : logits(top);
    }

    /** One token through every layer: input pre-activations, then the cell's update of h (and c). */
    private void step(int id) {
        int width = input.length;
        for (int k = 0; k < state.length; k++) {
            if (k == 0 && embedding == null) {
                int vocab = config.vocabSize();
                for (int j = 0; j < width; j++) {
                    input[j] = weightIh[0][j * vocab + id] + (double) biasIh[0][j];  // one-hot: W_ih's column
                }
            } else {
                double[] x = k > 0 ? state[k - 1] : embeddingRow(id);
                product(weightIh[k], 0, width, x, biasIh[k], input);
            }
            switch (config.cell()) {
                case RNN, RNN_RELU -> simpleStep(k);
                case LSTM -> lstmStep(k);
                case GRU -> gruStep(k);
                case GRU_CLASSIC -> classicGruStep(k);
            }
        }
    }

    private double[] embeddingRow(int id) {
        int e = embedded.length;
        for (int j = 0; j < e; j++) {
            embedded[j] = embedding[id * e + j];
        }
        return embedded;
    }

    /** h = tanh(a) or relu(a), a = W_ih x + b_ih + W_hh h + b_hh. */
    private void simpleStep(int k) {
        double[] h = state[k];
        product(weightHh[k], 0, hidden, h, biasHh[k], recurrent);
        boolean relu = config.cell() == CellType.RNN_RELU;
        for (int j = 0; j < hidden; j++) {
            double a = input[j] + recurrent[j];
            h[j] = relu ? Math.max(0.0, a) : Math.tanh(a);
        }
    }

    /** Gates i, f, g, o: c = f c + i g, h = o tanh(c). */
    private void lstmStep(int k) {
        double[] h = state[k];
        double[] c = cellState[k];
        product(weightHh[k], 0, 4 * hidden, h, biasHh[k], recurrent);
        for (int j = 0; j < hidden; j++) {
            double i = sigmoid(input[j] + recurrent[j]);
            double f = sigmoid(input[hidden + j] + recurrent[hidden + j]);
            double g = Math.tanh(input[2 * hidden + j] + recurrent[2 * hidden + j]);
            double o = sigmoid(input[3 * hidden + j] + recurrent[3 * hidden + j]);
            c[j] = f * c[j] + i * g;
            h[j] = o * Math.tanh(c[j]);
        }
    }

    /** PyTorch's GRU: r, z from both sides; n = tanh(x_n + r (W_hn h + b_hn)); h = (1 - z) n + z h. */
    private void gruStep(int k) {
        double[] h = state[k];
        product(weightHh[k], 0, 3 * hidden, h, biasHh[k], recurrent);
        for (int j = 0; j < hidden; j++) {
            double r = sigmoid(input[j] + recurrent[j]);
            double z = sigmoid(input[hidden + j] + recurrent[hidden + j]);
            double n = Math.tanh(input[2 * hidden + j] + r * recurrent[2 * hidden + j]);
            h[j] = n + z * (h[j] - n);
        }
    }

    /** Cho et al.'s GRU: r, z from both sides; n = tanh(x_n + W_hn (r h) + b_hn); h = z n + (1 - z) h. */
    private void classicGruStep(int k) {
        double[] h = state[k];
        product(weightHh[k], 0, 2 * hidden, h, biasHh[k], recurrent);
        for (int j = 0; j < hidden; j++) {
            double r = sigmoid(input[j] + recurrent[j]);
            recurrent[hidden + j] = sigmoid(input[hidden + j] + recurrent[hidden + j]);  // z
            scratch[j] = r * h[j];
        }
        product(weightHh[k], 2 * hidden, 3 * hidden, scratch, biasHh[k], recurrent);
        for (int j = 0; j < hidden; j++) {
            double z = recurrent[hidden + j];
            double n = Math.tanh(input[2 * hidden + j] + recurrent[2 * hidden + j]);
            h[j] = h[j] + z * (n - h[j]);
        }
    }

    /** The full softmax's logits: decoder h + bias. */
    private double[] logits(double[] top) {
        int vocab = config.vocabSize();
        double[] logits = new double[vocab];
        product(decoder, 0, vocab, top, decoderBias, logits);
        return logits;
    }

    /** log p(w): the head's log-softmax for the shortlist, plus each tail's for its cluster. */
    private double[] adaptiveLogProbabilities(double[] top) {
        AdaptiveOutput adaptive = config.adaptive();
        int shortlist = adaptive.shortlist();
        double[] headLogP = new double[adaptive.headSize()];
        product(head, 0, headLogP.length, top, null, headLogP);
        logSoftmax(headLogP);
        double[] logP = new double[config.vocabSize()];
        System.arraycopy(headLogP, 0, logP, 0, shortlist);
        for (int i = 0; i < adaptive.clusters(); i++) {
            double[] projected = new double[adaptive.projectionSize(i, hidden)];
            product(tailProjection[i], 0, projected.length, top, null, projected);
            int start = adaptive.clusterStart(i);
            double[] tail = new double[adaptive.clusterEnd(i, config.vocabSize()) - start];
            product(tailOutput[i], 0, tail.length, projected, null, tail);
            logSoftmax(tail);
            for (int j = 0; j < tail.length; j++) {
                logP[start + j] = headLogP[shortlist + i] + tail[j];
            }
        }
        return logP;
    }

    /**
     * out[r] = W[r] . x + bias[r] for rows [from, to) of the row-major W whose rows are x.length
     * wide (bias may be null).
     */
    private static void product(float[] w, int from, int to, double[] x, float[] bias, double[] out) {
        int n = x.length;
        for (int r = from; r < to; r++) {
            out[r] = dot(w, r * n, x, n) + (bias == null ? 0.0 : bias[r]);
        }
    }

    /** w[at ..] . x in double, four sums side by side (a loop of its own, which C2 compiles early). */
    private static double dot(float[] w, int at, double[] x, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += w[at + j] * x[j];
            s1 += w[at + j + 1] * x[j + 1];
            s2 += w[at + j + 2] * x[j + 2];
            s3 += w[at + j + 3] * x[j + 3];
        }
        for (; j < n; j++) {
            s0 += w[at + j] * x[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double sigmoid(double a) {
        return 1.0 / (1.0 + Math.exp(-a));
    }

    /** values := log softmax(values), shifted by the largest so that no exp overflows. */
    private static void logSoftmax(double[] values) {
        double logSum = Softmax.logSumExp(values);
        for (int j = 0; j < values.length; j++) {
            values[j] -= logSum;
        }
    }
}
