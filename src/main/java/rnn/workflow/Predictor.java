package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;
import rnn.text.Vocabulary;

/** Ranks the next token after a context, using a saved model the way it was trained. */
public final class Predictor {
    /** Context tokens per forward pass. */
    static final int CHUNK = 512;

    private final InferenceModel loaded;

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

    public Predictor(InferenceModel loaded) {
        this.loaded = loaded;
    }

    /** Loads the model in {@code directory}, or the model trained last when null. */
    public static Predictor open(Path directory) {
        return new Predictor(InferenceModel.open(directory));
    }

    public InferenceModel model() {
        return loaded;
    }

    /** The k most probable next tokens after {@code context}. */
    public Ranking rank(String context, int k) {
        Vocabulary vocabulary = loaded.vocabulary();
        InferenceModel.Encoded encoded = loaded.encode(context);
        int[] ids = encoded.ids();
        // A window model saw at most W tokens of context; a stream model carries state over any length.
        if (!loaded.stream() && ids.length > loaded.window()) {
            ids = Arrays.copyOfRange(ids, ids.length - loaded.window(), ids.length);
        }
        double[] logits = logits(ids);
        return new Ranking(context, top(logits, k, vocabulary), encoded.unknownWords());
    }

    private double[] logits(int[] ids) {
        LanguageModel model = loaded.model();
        if (ids.length == 0) {
            return loaded.startLogits();
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
        List<Candidate> top = new ArrayList<>();
        for (int id : mostProbable(p, k)) {
            top.add(new Candidate(vocabulary.token(id), p[id] / sum));
        }
        return top;
    }

    /**
     * The ids of the k largest values, largest first, ties by lower id (the order of a stable sort
     * of all ids) in one pass that keeps the best k so far in order: a sort of the whole
     * vocabulary cost more than the model's forward pass for a short context.
     */
    static int[] mostProbable(double[] p, int k) {
        int[] best = new int[Math.min(k, p.length)];
        int size = 0;
        for (int id = 0; id < p.length; id++) {
            if (size == best.length && !(Double.compare(p[id], p[best[size - 1]]) > 0)) {
                continue;
            }
            int at = size < best.length ? size++ : size - 1;
            while (at > 0 && Double.compare(p[id], p[best[at - 1]]) > 0) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = id;
        }
        return best;
    }
}
