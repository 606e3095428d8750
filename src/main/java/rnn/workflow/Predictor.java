package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.checkpoint.ModelStore;
import rnn.engine.ParameterShapes;
import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;
import rnn.text.Tokenizer;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;
import rnn.train.DataConfig;

/** Ranks the next token after a context, using a saved model the way it was trained. */
public final class Predictor {
    /** Context tokens per forward pass. */
    static final int CHUNK = 512;

    private final ModelStore.LoadedModel loaded;
    private final Tokenizer tokenizer;
    private final DataConfig training;

    public record Candidate(String token, double probability) {
    }

    /** The ranking, plus the context words the vocabulary lacks (read as {@code <unk>}), each once, in order. */
    public record Ranking(String context, List<Candidate> candidates, List<String> unknownWords) {
        /** The ranking under the JSON names of {@code rnn predict --json} (and the server's /v1/predict). */
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("context", context);
            fields.put("predictions", candidates);
            fields.put("unknown", unknownWords);
            return fields;
        }
    }

    public Predictor(ModelStore.LoadedModel loaded) {
        this.loaded = loaded;
        this.training = loaded.manifest().data();
        this.tokenizer = TokenizerSpec.parse(training.tokenizer(), training.lowercase()).tokenizer();
    }

    /** Loads the model in {@code directory}, or models/latest when null. */
    public static Predictor open(Path directory) {
        return new Predictor(ModelStore.load(resolve(directory)));
    }

    static Path resolve(Path directory) {
        return ModelDirectory.resolve(directory);
    }

    public ModelStore.LoadedModel model() {
        return loaded;
    }

    /** The k most probable next tokens after {@code context}. */
    public Ranking rank(String context, int k) {
        Vocabulary vocabulary = loaded.vocabulary();
        List<String> tokens = tokenizer.tokenize(context);
        Set<String> unknown = new LinkedHashSet<>();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocabulary.id(tokens.get(i));
            if (ids[i] == Vocabulary.UNKNOWN_ID && !tokens.get(i).equals(Vocabulary.UNKNOWN_TOKEN)) {
                unknown.add(tokens.get(i));
            }
        }
        // A window model saw at most W tokens of context; a stream model carries state over any length.
        if (!training.stateful() && ids.length > training.window()) {
            ids = Arrays.copyOfRange(ids, ids.length - training.window(), ids.length);
        }
        double[] logits = logits(ids);
        return new Ranking(context, top(logits, k, vocabulary), List.copyOf(unknown));
    }

    private double[] logits(int[] ids) {
        LanguageModel model = loaded.model();
        if (ids.length == 0) {
            // From the zero start state the decoder sees h = 0: only its bias remains.
            return model.parameters().value(ParameterShapes.DECODER_BIAS).toDoubleVector();
        }
        // A long context goes through in chunks with the state carried over, which gives the same
        // result as one pass: the work buffers then stay the size of a chunk, not of the context.
        RecurrentState state = model.newState(1);
        INDArray out = null;
        for (int from = 0; from < ids.length; from += CHUNK) {
            int[] chunk = ids.length <= CHUNK ? ids : Arrays.copyOfRange(ids, from, Math.min(ids.length, from + CHUNK));
            out = model.logits(new Batch(1, chunk.length, chunk, null, Objective.LAST), state);
        }
        return out.getRow(0).toDoubleVector();
    }

    private static List<Candidate> top(double[] logits, int k, Vocabulary vocabulary) {
        double max = Double.NEGATIVE_INFINITY;
        for (double z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        List<Candidate> top = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            top.add(new Candidate(vocabulary.token(order[i]), p[order[i]] / sum));
        }
        return top;
    }
}
