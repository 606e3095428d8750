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
import rnn.engine.PlainLanguageModel;
import rnn.engine.RecurrentState;
import rnn.engine.kernel.HostCopy;
import rnn.engine.loss.Softmax;
import rnn.text.Vocabulary;

/**
 * Ranks the next token after a context, using a saved model the way it was trained. Not thread-safe (one per model copy).
 *
 * <p>A predictor {@link #open opened} on a model directory ranks single contexts with the
 * plain-Java forward pass ({@link PlainLanguageModel}) while their work stays within
 * {@value #PLAIN_MULTIPLY_ADDS} multiply-adds in all, about what starting ND4J costs: a prompt
 * on a model of the usual sizes never starts the native backend. Past that, and for contexts
 * ranked together, it builds the engine's network once and uses it from then on.
 */
public final class Predictor {
    /** Context tokens per forward pass. */
    static final int CHUNK = 512;
    /** The longest context {@link #rankAll} reads in a batch with others (longer ones cost as much alone). */
    static final int MAX_BATCHED_TOKENS = 64;
    /** The plain-Java forward passes' work in all, in multiply-adds, before the engine takes over (see the class comment). */
    static final long PLAIN_MULTIPLY_ADDS = 100_000_000L;

    /** The model as opened: its vocabulary and tokenizer, and its weights until the engine's network is built. */
    private final InferenceModel opened;
    /** The engine's network made for serving; built on first need when opened from a directory. */
    private InferenceModel loaded;
    /** The plain-Java forward pass while the engine's network is not built, else null. */
    private PlainLanguageModel plain;
    private long plainWork;
    private final HostCopy host = new HostCopy();
    /** The logits of the contexts being ranked, one row each; grown as needed, never shared. */
    private float[] logitRows = new float[0];
    private Softmax.ShiftedExpSum normaliser;

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

    /** Ranks with the engine's network of {@code loaded} (the server's way: contexts batched). */
    public Predictor(InferenceModel loaded) {
        this.opened = loaded;
        this.loaded = loaded;
    }

    private Predictor(InferenceModel opened, PlainLanguageModel plain) {
        this.opened = opened;
        this.plain = plain;
    }

    /**
     * Opens the model in {@code directory}, or the model trained last when null: short single
     * contexts in plain Java, the rest with the engine's network made {@link InferenceModel#forServing()
     * for serving} as the server's is, so that both rank with the same products.
     */
    public static Predictor open(Path directory) {
        InferenceModel opened = InferenceModel.open(directory);
        return new Predictor(opened, opened.plainModel());
    }

    /** The model with the engine's network made for serving (built now if it was not). */
    public InferenceModel model() {
        if (loaded == null) {
            loaded = opened.forServing();
            plain = null;
        }
        return loaded;
    }

    /** True while the engine's network has not been built: every ranking so far was the plain-Java one. */
    boolean plainOnly() {
        return loaded == null;
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
        if (queries.size() == 1 && plain != null) {
            Query query = queries.get(0);
            InferenceModel.Encoded encoded = opened.encode(query.context());
            int[] ids = lastRead(encoded.ids());
            long work = PlainLanguageModel.multiplyAdds(plain.config(), ids.length);
            if (work <= PLAIN_MULTIPLY_ADDS - plainWork) {
                plainWork += work;
                Vocabulary vocabulary = opened.vocabulary();
                float[] logits = logitRows(1, vocabulary.size());
                double[] z = plain.lastLogits(ids);
                for (int j = 0; j < z.length; j++) {
                    logits[j] = (float) z[j];  // ranked and normalised as the engine's logits are
                }
                return List.of(new Ranking(query.context(), top(logits, 0, query.k(), vocabulary),
                        encoded.unknownWords()));
            }
        }
        model();  // the engine's network, built on first need
        Vocabulary vocabulary = loaded.vocabulary();
        int n = queries.size();
        int vocabularySize = vocabulary.size();
        float[] logits = logitRows(n, vocabularySize);
        InferenceModel.Encoded[] encoded = new InferenceModel.Encoded[n];
        // The batched contexts' logits go to the first rows, in one copy; the others' to the rows after.
        int[] row = new int[n];
        int[][] read = new int[n][];
        List<int[]> batchedIds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            encoded[i] = loaded.encode(queries.get(i).context());
            int[] ids = lastRead(encoded[i].ids());
            read[i] = ids;
            if (ids.length > 0 && ids.length <= MAX_BATCHED_TOKENS) {
                row[i] = batchedIds.size();
                batchedIds.add(ids);
            } else {
                row[i] = -1;
            }
        }
        // An adaptive softmax ranks its batched contexts exactly without whole distributions.
        Map<Integer, List<Candidate>> exact = Map.of();
        if (!batchedIds.isEmpty() && loaded.model().config().hasAdaptiveOutput()) {
            List<Integer> batched = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (row[i] >= 0) {
                    batched.add(i);
                }
            }
            exact = adaptiveTop(batched, batchedIds, queries);
        } else if (!batchedIds.isEmpty()) {
            host.read(loaded.model().lastLogits(batchedIds.toArray(new int[0][])), logits, 0);
        }
        int next = batchedIds.size();
        for (int i = 0; i < n; i++) {
            if (row[i] < 0) {
                row[i] = next++;
                aloneLogits(read[i], logits, row[i] * vocabularySize);
            }
        }
        List<Ranking> rankings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Query query = queries.get(i);
            List<Candidate> candidates = exact.containsKey(i) ? exact.get(i)
                    : top(logits, row[i] * vocabularySize, query.k(), vocabulary);
            rankings.add(new Ranking(query.context(), candidates, encoded[i].unknownWords()));
        }
        return rankings;
    }

    /** The ids the model reads: a window model saw at most W tokens of context; a stream model carries state over any length. */
    private int[] lastRead(int[] ids) {
        if (!opened.stream() && ids.length > opened.window()) {
            return Arrays.copyOfRange(ids, ids.length - opened.window(), ids.length);
        }
        return ids;
    }

    /** Room for n rows of logits, reused from call to call (a batch's is about a megabyte of double). */
    private float[] logitRows(int n, int vocabularySize) {
        int length = Math.multiplyExact(n, vocabularySize);
        if (logitRows.length < length) {
            logitRows = new float[length];
        }
        if (normaliser == null) {
            normaliser = new Softmax.ShiftedExpSum(vocabularySize);
        }
        return logitRows;
    }

    /** The logits after a context read alone into logits[at ..]: the start logits if empty, else in chunks. */
    private void aloneLogits(int[] ids, float[] logits, int at) {
        if (ids.length == 0) {
            double[] start = loaded.startLogits();
            for (int j = 0; j < start.length; j++) {
                logits[at + j] = (float) start[j];
            }
        } else {
            host.read(chunkedLogits(ids), logits, at);
        }
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
    private INDArray chunkedLogits(int[] ids) {
        LanguageModel model = loaded.model();
        RecurrentState state = model.newState(1);
        INDArray out = null;
        for (int from = 0; from < ids.length; from += CHUNK) {
            int[] chunk = ids.length <= CHUNK ? ids : Arrays.copyOfRange(ids, from, Math.min(ids.length, from + CHUNK));
            out = model.logits(new Batch(1, chunk.length, chunk, null, Objective.LAST), state);
        }
        return out;
    }

    /**
     * The k most probable tokens of the row logits[from ..]: the ranking on the raw float logits,
     * then p = exp(z - max) / sum exp(z - max), the sum as the loss's softmax computes it.
     */
    private List<Candidate> top(float[] logits, int from, int k, Vocabulary vocabulary) {
        int[] best = mostProbable(logits, from, vocabulary.size(), k);
        float max = logits[from + best[0]];
        double sum = normaliser.of(logits, from, max);
        List<Candidate> top = new ArrayList<>(best.length);
        for (int id : best) {
            top.add(new Candidate(vocabulary.token(id), Math.exp((double) logits[from + id] - max) / sum));
        }
        return top;
    }

    /**
     * The ids of the k largest values, largest first, ties by lower id (the order of a stable sort
     * of all ids) in one pass that keeps the best k so far in order: a sort of the whole
     * vocabulary cost more than the model's forward pass for a short context.
     */
    static int[] mostProbable(float[] z, int from, int n, int k) {
        int[] best = new int[Math.min(k, n)];
        int size = 0;
        for (int id = 0; id < n; id++) {
            float value = z[from + id];
            if (size == best.length && !(Float.compare(value, z[from + best[size - 1]]) > 0)) {
                continue;
            }
            int at = size < best.length ? size++ : size - 1;
            while (at > 0 && Float.compare(value, z[from + best[at - 1]]) > 0) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = id;
        }
        return best;
    }
}
