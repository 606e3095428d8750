package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import rnn.checkpoint.ModelStore;
import rnn.checkpoint.StoredModel;
import rnn.engine.LanguageModel;
import rnn.engine.ModelConfig;
import rnn.engine.PlainLanguageModel;
import rnn.engine.loss.Softmax;
import rnn.text.Tokenizer;
import rnn.text.Vocabulary;

/**
 * A trained model loaded for use: the network, its vocabulary, and how it reads text (tokenizer,
 * stream or window context). Predict, generate and perplexity work through this and never read
 * the training settings; words outside the vocabulary are found here, the same way for all.
 *
 * <p>{@link #open} reads and checks the files without ND4J; the engine's network is built from
 * the weights read on first use ({@link #model()}), and until then a {@link PlainLanguageModel}
 * can read them instead ({@link #plainModel()}), so a short prompt never starts the native backend.
 */
public final class InferenceModel {
    private final Path directory;
    private final Vocabulary vocabulary;
    private final ModelConfig config;
    private final ModelContext context;
    private final Tokenizer tokenizer;
    /** The engine's network: given, or built from {@link #weights} on first use. */
    private LanguageModel model;
    /** The weights as read, until the network is built from them (then null, so only one copy stays). */
    private Map<String, float[]> weights;

    private InferenceModel(Path directory, Vocabulary vocabulary, ModelConfig config, LanguageModel model,
                           Map<String, float[]> weights, ModelContext context) {
        this.directory = directory;
        this.vocabulary = vocabulary;
        this.config = config;
        this.model = model;
        this.weights = weights;
        this.context = context;
        this.tokenizer = context.tokenizer().tokenizer();
    }

    private InferenceModel(InferenceModel same, LanguageModel model) {
        this(same.directory, same.vocabulary, same.config, model, null, same.context);
    }

    /** Reads and checks the model in {@code directory}, or the model trained last when null; builds nothing yet. */
    public static InferenceModel open(Path directory) {
        StoredModel stored = StoredModel.read(ModelDirectory.resolve(directory));
        return new InferenceModel(stored.directory(), stored.vocabulary(), stored.manifest().architecture(), null,
                stored.weights(), ModelContext.of(stored.manifest()));
    }

    /**
     * A plain-Java forward pass over the weights as read, while the engine's network has not been
     * built (null after that: the weights then live in ND4J's arrays only).
     */
    public PlainLanguageModel plainModel() {
        synchronized (this) {
            return weights == null ? null : new PlainLanguageModel(config, weights);
        }
    }

    /** The same model with its own work buffers over the same weights, for another thread. */
    public InferenceModel sharingParameters() {
        return new InferenceModel(this, model().sharingParameters());
    }

    /**
     * The same model with transposed weight copies for answering a few short contexts at a time
     * ({@link LanguageModel#forServing()}), and layer 0's input table ({@link #withInputTable()})
     * up to {@value Scorer#TABLE_BYTES_MAX} bytes of it: built with one product over the
     * vocabulary (about 20 ms for 10k words and 2x200 units), it saves the per-request product
     * of every context token's embedding, a sixth of a short context's work.
     */
    public InferenceModel forServing() {
        LanguageModel serving = model().forServing();
        if (model().inputTableBytes() <= Scorer.TABLE_BYTES_MAX) {
            serving = serving.withInputTable();
        }
        return new InferenceModel(this, serving);
    }

    /**
     * The same model over the same weights, looking layer 0's input pre-activations up in a table
     * ({@link LanguageModel#withInputTable()}): for a server that reads many contexts; its copies
     * ({@link #sharingParameters()}) share the table.
     */
    public InferenceModel withInputTable() {
        return new InferenceModel(this, model().withInputTable());
    }

    /**
     * A text as the model reads it: its tokens, their ids ({@code <unk>}'s for words outside the
     * vocabulary) and those words, each once, in order of first appearance.
     */
    public record Encoded(List<String> tokens, int[] ids, List<String> unknownWords) {
    }

    public Encoded encode(String text) {
        List<String> tokens = tokenizer.tokenize(text);
        Set<String> unknown = new LinkedHashSet<>();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocabulary.id(tokens.get(i));
            if (ids[i] == Vocabulary.UNKNOWN_ID && !tokens.get(i).equals(Vocabulary.UNKNOWN_TOKEN)) {
                unknown.add(tokens.get(i));
            }
        }
        return new Encoded(List.copyOf(tokens), ids, List.copyOf(new ArrayList<>(unknown)));
    }

    /** The logits for the first token, from the zero start state (see {@link LanguageModel#startLogits}). */
    public double[] startLogits() {
        return startLogits(model());
    }

    static double[] startLogits(LanguageModel model) {
        return model.startLogits();
    }

    /** ln p of every token from the zero start state (the log-softmax of {@link #startLogits}). */
    static double[] startLogProbabilities(LanguageModel model) {
        double[] logits = startLogits(model);
        double logSum = Softmax.logSumExp(logits);
        for (int i = 0; i < logits.length; i++) {
            logits[i] -= logSum;
        }
        return logits;
    }

    /** A stream model carries its state over any length of text; a window model sees at most {@link #window} tokens. */
    public boolean stream() {
        return context.stream();
    }

    public int window() {
        return context.window();
    }

    public ModelContext context() {
        return context;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Path directory() {
        return directory;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The engine's network, built from the weights read on the first call (ND4J starts then). */
    public LanguageModel model() {
        synchronized (this) {
            if (model == null) {
                model = ModelStore.build(config, weights);
                weights = null;
            }
            return model;
        }
    }
}
