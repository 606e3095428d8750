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
import rnn.engine.kernel.HostCopy;
import rnn.text.Vocabulary;

/** Ranks the next token after a context, using a saved model the way it was trained. Not thread-safe (one per model copy). */
public final class Predictor {
    /** Context tokens per forward pass. */
    static final int CHUNK = 512;
    /** The longest context {@link #rankAll} reads in a batch with others (longer ones cost as much alone). */
    static final int MAX_BATCHED_TOKENS = 64;

    private final InferenceModel loaded;
    private final HostCopy host = new HostCopy();

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

    /**
     * Loads the model in {@code directory}, or the model trained last when null, made {@link InferenceModel#forServing()
     * for serving} as the server's is, so that both rank with the same products.
     */
    public static Predictor open(Path directory) {
        return new Predictor(InferenceModel.open(directory).forServing());
    }

    public InferenceModel model() {
        return loaded;
    }

    /** A context to rank the next token after, and how many candidates to give. */
    public record Query(String context, int k) {
    }

    /** The k most probable next tokens after {@code context}. */
    public Ranking rank(String context, int k) {
        return rankAll(List.of(new Query(context, k))).get(0);
    }

    /**
     * The rankings of several contexts, each what {@link #rank} gives for it alone (to float
     * rounding): the contexts of 1 to {@value #MAX_BATCHED_TOKENS} tokens go through the network
     * side by side, one batch ({@link LanguageModel#lastLogits}), so concurrent requests cost
     * little more than one; longer ones alone, in chunks; an empty one gets the start logits.
     */
    public List<Ranking> rankAll(List<Query> queries) {
        Vocabulary vocabulary = loaded.vocabulary();
        int n = queries.size();
        InferenceModel.Encoded[] encoded = new InferenceModel.Encoded[n];
        double[][] logits = new double[n][];
        List<Integer> batched = new ArrayList<>();
        List<int[]> batchedIds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            encoded[i] = loaded.encode(queries.get(i).context());
            int[] ids = encoded[i].ids();
            // A window model saw at most W tokens of context; a stream model carries state over any length.
            if (!loaded.stream() && ids.length > loaded.window()) {
                ids = Arrays.copyOfRange(ids, ids.length - loaded.window(), ids.length);
            }
            if (ids.length == 0) {
                logits[i] = loaded.startLogits();
            } else if (ids.length <= MAX_BATCHED_TOKENS) {
                batched.add(i);
                batchedIds.add(ids);
            } else {
                logits[i] = chunkedLogits(ids);
            }
        }
        Map<Integer, List<Candidate>> exact = new LinkedHashMap<>();
        if (!batched.isEmpty() && loaded.model().config().hasAdaptiveOutput()) {
            exact = adaptiveTop(batched, batchedIds, queries);
        } else if (!batched.isEmpty()) {
            INDArray out = loaded.model().lastLogits(batchedIds.toArray(new int[0][]));
            int vocabularySize = (int) out.size(1);
            double[] rows = new double[batched.size() * vocabularySize];
            host.read(out, rows, 0);
            for (int j = 0; j < batched.size(); j++) {
                logits[batched.get(j)] = Arrays.copyOfRange(rows, j * vocabularySize, (j + 1) * vocabularySize);
            }
        }
        List<Ranking> rankings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Query query = queries.get(i);
            List<Candidate> candidates = exact.containsKey(i) ? exact.get(i) : top(logits[i], query.k(), vocabulary);
            rankings.add(new Ranking(query.context(), candidates, encoded[i].unknownWords()));
        }
        return rankings;
    }

    /**
     * An adaptive softmax's batched contexts: their exact top k ({@link LanguageModel#lastTopK}),
     * computing only the tail clusters that can still hold a candidate, not whole distributions.
     */
    private Map<Integer, List<Candidate>> adaptiveTop(List<Integer> batched, List<int[]> batchedIds,
                                                      List<Query> queries) {
        int k = 0;
        for (int i : batched) {
            k = Math.max(k, queries.get(i).k());
        }
        LanguageModel.TopTokens top = loaded.model().lastTopK(batchedIds.toArray(new int[0][]), k);
        Map<Integer, List<Candidate>> candidates = new LinkedHashMap<>();
        for (int j = 0; j < batched.size(); j++) {
            int wanted = Math.min(queries.get(batched.get(j)).k(), top.ids()[j].length);
            List<Candidate> list = new ArrayList<>(wanted);
            for (int c = 0; c < wanted; c++) {
                list.add(new Candidate(loaded.vocabulary().token(top.ids()[j][c]),
                        Math.exp(top.logProbabilities()[j][c])));
            }
            candidates.put(batched.get(j), list);
        }
        return candidates;
    }

    /**
     * A long context goes through in chunks with the state carried over, which gives the same
     * result as one pass: the work buffers then stay the size of a chunk, not of the context.
     */
    private double[] chunkedLogits(int[] ids) {
        LanguageModel model = loaded.model();
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
