package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import rnn.checkpoint.ModelStore;
import rnn.engine.LanguageModel;
import rnn.engine.loss.Softmax;
import rnn.text.Tokenizer;
import rnn.text.Vocabulary;

/**
 * A trained model loaded for use: the network, its vocabulary, and how it reads text (tokenizer,
 * stream or window context). Predict, generate and perplexity work through this and never read
 * the training settings; words outside the vocabulary are found here, the same way for all.
 */
public final class InferenceModel {
    private final Path directory;
    private final Vocabulary vocabulary;
    private final LanguageModel model;
    private final ModelContext context;
    private final Tokenizer tokenizer;

    private InferenceModel(Path directory, Vocabulary vocabulary, LanguageModel model, ModelContext context) {
        this.directory = directory;
        this.vocabulary = vocabulary;
        this.model = model;
        this.context = context;
        this.tokenizer = context.tokenizer().tokenizer();
    }

    /** Loads the model in {@code directory}, or the model trained last when null. */
    public static InferenceModel open(Path directory) {
        ModelStore.LoadedModel loaded = ModelStore.load(ModelDirectory.resolve(directory));
        return new InferenceModel(loaded.directory(), loaded.vocabulary(), loaded.model(),
                ModelContext.of(loaded.manifest()));
    }

    /** The same model with its own work buffers over the same weights, for another thread. */
    public InferenceModel sharingParameters() {
        return new InferenceModel(directory, vocabulary, model.sharingParameters(), context);
    }

    /**
     * The same model with transposed weight copies for answering a few short contexts at a time
     * ({@link LanguageModel#forServing()}), and layer 0's input table ({@link #withInputTable()})
     * up to {@value Scorer#TABLE_BYTES_MAX} bytes of it: built with one product over the
     * vocabulary (about 20 ms for 10k words and 2x200 units), it saves the per-request product
     * of every context token's embedding, a sixth of a short context's work.
     */
    public InferenceModel forServing() {
        LanguageModel serving = model.forServing();
        if (model.inputTableBytes() <= Scorer.TABLE_BYTES_MAX) {
            serving = serving.withInputTable();
        }
        return new InferenceModel(directory, vocabulary, serving, context);
    }

    /**
     * The same model over the same weights, looking layer 0's input pre-activations up in a table
     * ({@link LanguageModel#withInputTable()}): for a server that reads many contexts; its copies
     * ({@link #sharingParameters()}) share the table.
     */
    public InferenceModel withInputTable() {
        return new InferenceModel(directory, vocabulary, model.withInputTable(), context);
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
        return startLogits(model);
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

    public LanguageModel model() {
        return model;
    }
}
