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

    private ParameterShapes() {
    }

    public static String weightIh(int layer) {
        return "rnn.weight_ih_l" + layer;
    }

    public static String weightHh(int layer) {
        return "rnn.weight_hh_l" + layer;
    }

    public static String biasIh(int layer) {
        return "rnn.bias_ih_l" + layer;
    }

    public static String biasHh(int layer) {
        return "rnn.bias_hh_l" + layer;
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
