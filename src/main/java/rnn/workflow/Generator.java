package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;
import rnn.text.Tokenizer;
import rnn.text.Vocabulary;

/**
 * Continues a text token by token with a saved model, reading context the way the model was trained:
 *
 * <ul>
 * <li>a stream model ({@code --stateful}) runs the prime once and then feeds each new token with
 * its recurrent state carried, so the whole text so far is the context;</li>
 * <li>a window model re-runs the last W tokens (its training window) from the zero state at every
 * step, exactly the contexts it was trained on. That costs W steps per token instead of one, and
 * is what the sliding-window loop of the Keras tutorial does.</li>
 * </ul>
 * An empty context predicts from the zero state, where the decoder sees h = 0 and only its bias
 * remains (as {@link Predictor} does). {@code <unk>} is never produced.
 */
public final class Generator {
    private final InferenceModel loaded;
    private final Tokenizer tokenizer;

    /** Receives the text as it grows; returns false to stop early (e.g. stdout was closed). */
    @FunctionalInterface
    public interface TextSink {
        boolean accept(String text);
    }

    /**
     * What a run produced.
     *
     * @param context       the context as given
     * @param generated     the new tokens, in order
     * @param completion    the new tokens detokenized on their own
     * @param text          context and new tokens detokenized together: what was streamed
     * @param unknownWords  context tokens the vocabulary lacks (read as {@code <unk>})
     * @param seed          the seed the sampler used
     */
    public record Result(String context, List<String> generated, String completion, String text,
                         List<String> unknownWords, long seed) {
    }

    public Generator(InferenceModel loaded) {
        this.loaded = loaded;
        this.tokenizer = loaded.tokenizer();
    }

    /** Loads the model in {@code directory}, or models/latest when null. */
    public static Generator open(Path directory) {
        return new Generator(InferenceModel.open(directory));
    }

    public InferenceModel model() {
        return loaded;
    }

    /**
     * Samples {@code config.words()} tokens after the prime. {@code sink} gets the detokenized
     * prime first (if not empty), then the text each new token adds, as soon as it is chosen.
     */
    public Result generate(GenerateConfig config, TextSink sink) {
        long seed = config.seed() != null ? config.seed() : new SplittableRandom().nextLong();
        Sampler sampler = new Sampler(config.temperature(), config.topK(), config.topP(), seed);
        return run(config.prime(), config.words(), sampler, seed, sink);
    }

    /** The greedy continuation of {@code context} by {@code words} tokens (the argmax each step). */
    public Result complete(String context, int words) {
        return run(context, words, new Sampler(0, null, null, 0), 0, text -> true);
    }

    private Result run(String context, int words, Sampler sampler, long seed, TextSink sink) {
        Vocabulary vocabulary = loaded.vocabulary();
        InferenceModel.Encoded encoded = loaded.encode(context);
        List<String> contextTokens = encoded.tokens();
        int[] ids = encoded.ids();
        // One detokenizer over the context and what follows, so the streamed pieces add up to the
        // detokenized whole (spacing can depend on all that came before, e.g. an open quote).
        Tokenizer.Detokenizer detokenizer = tokenizer.detokenizer();
        StringBuilder text = new StringBuilder();
        for (String token : contextTokens) {
            text.append(detokenizer.next(token));
        }
        boolean open = text.length() == 0 || sink.accept(text.toString());
        List<String> generated = new ArrayList<>();
        Cursor cursor = new Cursor(ids);
        for (int step = 0; step < words && open; step++) {
            int id = sampler.next(cursor.logits());
            String token = vocabulary.token(id);
            String piece = detokenizer.next(token);
            text.append(piece);
            generated.add(token);
            open = sink.accept(piece);
            if (step + 1 < words && open) {
                cursor.advance(id);
            }
        }
        return new Result(context, List.copyOf(generated), tokenizer.detokenize(generated), text.toString(),
                encoded.unknownWords(), seed);
    }

    /** The model's view of the text so far and its logits for the next token. */
    private final class Cursor {
        private final LanguageModel model = loaded.model();
        private final boolean stream = loaded.stream();
        private final int window = loaded.window();
        private final RecurrentState state;
        /** Window models: the last (at most W) ids, oldest first. */
        private final int[] history;
        private int length;
        private double[] logits;

        Cursor(int[] context) {
            if (stream) {
                state = model.newState(1);
                history = null;
                logits = context.length == 0 ? bias() : run(context, context.length, state);
            } else {
                state = null;
                history = new int[window];
                length = Math.min(context.length, window);
                System.arraycopy(context, context.length - length, history, 0, length);
                logits = length == 0 ? bias() : run(history, length, null);
            }
        }

        double[] logits() {
            return logits;
        }

        void advance(int id) {
            if (stream) {
                logits = run(new int[] {id}, 1, state);
                return;
            }
            if (length == window) {
                System.arraycopy(history, 1, history, 0, window - 1);
                length--;
            }
            history[length++] = id;
            logits = run(history, length, null);
        }

        /** Logits after {@code ids[0..steps)}, starting from {@code state} (null: zeros) and updating it. */
        private double[] run(int[] ids, int steps, RecurrentState carried) {
            INDArray out = model.logits(new Batch(1, steps, ids, null, Objective.LAST), carried);
            return out.getRow(0).toDoubleVector();
        }

        private double[] bias() {
            return loaded.startLogits();
        }
    }
}
