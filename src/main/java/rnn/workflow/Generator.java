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

    /**
     * What a streamed run leaves behind, of constant size however long the text: the text itself
     * went to the sink only.
     *
     * @param unknownWords      context tokens the vocabulary lacks (read as {@code <unk>})
     * @param seed              the seed the sampler used
     * @param tokens            new tokens produced (fewer than asked if the sink stopped early)
     * @param endsWithLineBreak whether the last text handed to the sink ended a line
     */
    public record Streamed(List<String> unknownWords, long seed, long tokens, boolean endsWithLineBreak) {
    }

    public Generator(InferenceModel loaded) {
        this.loaded = loaded;
        this.tokenizer = loaded.tokenizer();
    }

    /** Loads the model in {@code directory}, or the model trained last when null. */
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

    /** As {@link #generate}, in constant memory: the text goes to {@code sink} only. */
    public Streamed generateStreaming(GenerateConfig config, TextSink sink) {
        long seed = config.seed() != null ? config.seed() : new SplittableRandom().nextLong();
        Sampler sampler = new Sampler(config.temperature(), config.topK(), config.topP(), seed);
        return stream(config.prime(), config.words(), sampler, seed, sink);
    }

    /** The greedy continuation of {@code context} by {@code words} tokens (the argmax each step). */
    public Result complete(String context, int words) {
        return run(context, words, new Sampler(0, null, null, 0), 0, text -> true);
    }

    /** As {@link #complete}, in constant memory: the context, then each new token's text, go to {@code sink}. */
    public Streamed completeStreaming(String context, int words, TextSink sink) {
        return stream(context, words, new Sampler(0, null, null, 0), 0, sink);
    }

    /**
     * As {@link #completeStreaming}, but the sink gets only the new tokens, detokenized on their
     * own as {@link Result#completion()} is (spacing can differ from their text after the context).
     */
    public Streamed completionStreaming(String context, int words, TextSink sink) {
        Tokenizer.Detokenizer own = tokenizer.detokenizer();
        return stream(context, words, new Sampler(0, null, null, 0), 0, new TokenSink() {
            @Override
            public boolean context(String piece) {
                return true;
            }

            @Override
            public boolean token(String token, String piece) {
                return sink.accept(own.next(token));
            }
        });
    }

    private Result run(String context, int words, Sampler sampler, long seed, TextSink sink) {
        List<String> generated = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Streamed streamed = stream(context, words, sampler, seed, new TokenSink() {
            @Override
            public boolean context(String piece) {
                text.append(piece);
                return sink.accept(piece);
            }

            @Override
            public boolean token(String token, String piece) {
                generated.add(token);
                text.append(piece);
                return sink.accept(piece);
            }
        });
        return new Result(context, List.copyOf(generated), tokenizer.detokenize(generated), text.toString(),
                streamed.unknownWords(), seed);
    }

    /** Receives the detokenized context, then each new token with its text. */
    private interface TokenSink extends TextSink {
        boolean context(String piece);

        boolean token(String token, String piece);

        @Override
        default boolean accept(String text) {
            return context(text);
        }
    }

    private Streamed stream(String context, int words, Sampler sampler, long seed, TextSink sink) {
        TokenSink tokens = sink instanceof TokenSink t ? t : new TokenSink() {
            @Override
            public boolean context(String piece) {
                return sink.accept(piece);
            }

            @Override
            public boolean token(String token, String piece) {
                return sink.accept(piece);
            }
        };
        Vocabulary vocabulary = loaded.vocabulary();
        InferenceModel.Encoded encoded = loaded.encode(context);
        List<String> contextTokens = encoded.tokens();
        int[] ids = encoded.ids();
        // One detokenizer over the context and what follows, so the streamed pieces add up to the
        // detokenized whole (spacing can depend on all that came before, e.g. an open quote).
        Tokenizer.Detokenizer detokenizer = tokenizer.detokenizer();
        StringBuilder prefix = new StringBuilder();
        for (String token : contextTokens) {
            prefix.append(detokenizer.next(token));
        }
        boolean open = prefix.length() == 0 || tokens.context(prefix.toString());
        String last = prefix.toString();
        long produced = 0;
        Cursor cursor = new Cursor(ids);
        for (int step = 0; step < words && open; step++) {
            int id = sampler.next(cursor.logits());
            String token = vocabulary.token(id);
            String piece = detokenizer.next(token);
            produced++;
            open = tokens.token(token, piece);
            if (!piece.isEmpty()) {
                last = piece;
            }
            if (step + 1 < words && open) {
                cursor.advance(id);
            }
        }
        return new Streamed(encoded.unknownWords(), seed, produced, last.endsWith("\n"));
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
