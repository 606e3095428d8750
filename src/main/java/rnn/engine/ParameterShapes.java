package rnn.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names and shapes of a model's parameters, in PyTorch's names, computed from its
 * architecture alone. Free of ND4J, so commands that only describe a model (rnn summary) never
 * load the backend; {@link Parameters} holds the tensors themselves.
 */
public final class ParameterShapes {
    public static final String EMBEDDING = "embedding.weight";
    public static final String DECODER_WEIGHT = "decoder.weight";
    public static final String DECODER_BIAS = "decoder.bias";
    /** The adaptive softmax's head, as in a PyTorch model whose AdaptiveLogSoftmaxWithLoss is named decoder. */
    public static final String ADAPTIVE_HEAD = "decoder.head.weight";

    private ParameterShapes() {
    }

    public static String weightIh(int layer) {
        return "rnn.weight_ih_l" + layer;
    }

    public static String weightHh(int layer) {
        return "rnn.weight_hh_l" + layer;
    }

    /** Whether a parameter is a recurrent layer's hidden-to-hidden weight (weight_hh_lK). */
    public static boolean isRecurrentWeight(String name) {
        return name.startsWith("rnn.weight_hh_l");
    }

    public static String biasIh(int layer) {
        return "rnn.bias_ih_l" + layer;
    }

    public static String biasHh(int layer) {
        return "rnn.bias_hh_l" + layer;
    }

    /** Tail cluster i's projection Linear(H, H / div^(i+1)). */
    public static String tailProjection(int cluster) {
        return "decoder.tail." + cluster + ".0.weight";
    }

    /** Tail cluster i's output Linear(projection, cluster size). */
    public static String tailOutput(int cluster) {
        return "decoder.tail." + cluster + ".1.weight";
    }

    /** The expected name -> shape of every parameter of a model, in a fixed order. */
    public static Map<String, long[]> of(ModelConfig config) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long v = config.vocabSize();
        long h = config.hiddenSize();
        long gh = (long) config.cell().gates() * h;
        if (!config.oneHot()) {
            shapes.put(EMBEDDING, new long[] {v, config.embeddingSize()});
        }
        for (int k = 0; k < config.layers(); k++) {
            shapes.put(weightIh(k), new long[] {gh, config.inputSize(k)});
            shapes.put(weightHh(k), new long[] {gh, h});
            shapes.put(biasIh(k), new long[] {gh});
            shapes.put(biasHh(k), new long[] {gh});
        }
        AdaptiveOutput adaptive = config.adaptive();
        if (adaptive != null) {
            shapes.put(ADAPTIVE_HEAD, new long[] {adaptive.headSize(), h});
            for (int i = 0; i < adaptive.clusters(); i++) {
                long projection = adaptive.projectionSize(i, config.hiddenSize());
                shapes.put(tailProjection(i), new long[] {projection, h});
                shapes.put(tailOutput(i), new long[] {
                        adaptive.clusterEnd(i, config.vocabSize()) - adaptive.clusterStart(i), projection});
            }
            return shapes;
        }
        if (!config.tied()) {
            shapes.put(DECODER_WEIGHT, new long[] {v, h});
        }
        shapes.put(DECODER_BIAS, new long[] {v});
        return shapes;
    }

    /** Number of scalars in a tensor of this shape. */
    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
