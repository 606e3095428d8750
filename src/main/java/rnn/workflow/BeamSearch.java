package rnn.workflow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;
import rnn.engine.loss.Softmax;
import rnn.text.Tokenizer;
import rnn.text.Vocabulary;

/**
 * The B most probable continuations of a context by exactly N tokens, by beam search: each step
 * extends every kept hypothesis by every token but {@code <unk>} and keeps the B best by total
 * log probability. All hypotheses have N tokens, so their totals compare without length
 * normalisation. A line-end token ({@code <eos>}) is an ordinary token: a hypothesis goes on past
 * it into the next line, as the greedy completion does.
 *
 * <p>Context is read as the model was trained (see {@link Generator}): a stream model runs the
 * context once and carries each hypothesis's state, all B side by side; a window model re-runs each
 * hypothesis's last W tokens from the zero state. With B = 1 this is the greedy completion.
 * Ties rank the earlier hypothesis, then the lower token id, first.
 */
public final class BeamSearch {
    private static final double LN10 = Math.log(10);
    private final InferenceModel loaded;

    /** One continuation: its tokens, the text they add, the whole text and their total log10 probability. */
    public record Hypothesis(List<String> tokens, String completion, String text, double log10Probability) {
    }

    /** The best continuations, best first, and the context words read as {@code <unk>}. */
    public record Result(String context, List<Hypothesis> hypotheses, List<String> unknownWords) {
    }

    public BeamSearch(InferenceModel loaded) {
        this.loaded = loaded;
    }

    /** The {@code beam} best continuations of {@code context} by {@code words} tokens. */
    public Result complete(String context, int words, int beam) {
        if (words < 1 || beam < 1) {
            throw new IllegalArgumentException("words " + words + ", beam " + beam);
        }
        Vocabulary vocabulary = loaded.vocabulary();
        Tokenizer tokenizer = loaded.tokenizer();
        InferenceModel.Encoded encoded = loaded.encode(context);
        List<String> contextTokens = encoded.tokens();
        int[] contextIds = encoded.ids();
        Beam kept = new Beam(contextIds);
        for (int step = 0; step < words; step++) {
            kept = kept.extend(beam, step + 1 < words);
        }
        List<Hypothesis> hypotheses = new ArrayList<>();
        for (int h = 0; h < kept.size(); h++) {
            List<String> tokens = new ArrayList<>();
            for (int id : kept.continuations[h]) {
                tokens.add(vocabulary.token(id));
            }
            List<String> all = new ArrayList<>(contextTokens);
            all.addAll(tokens);
            hypotheses.add(new Hypothesis(List.copyOf(tokens), tokenizer.detokenize(tokens), tokenizer.detokenize(all),
                    kept.lnP[h] / LN10));
        }
        return new Result(context, List.copyOf(hypotheses), encoded.unknownWords());
    }

    /** The kept hypotheses, best first, with the logits each one's next token is drawn from. */
    private final class Beam {
        private final LanguageModel model = loaded.model();
        private final int[] context;
        private final int[][] continuations;
        private final double[] lnP;
        /** Stream models: row h is hypothesis h's state after its last token. */
        private final RecurrentState state;
        private final double[][] logits;

        /** The context alone: one hypothesis with no tokens yet. */
        Beam(int[] context) {
            this.context = context;
            this.continuations = new int[][] {new int[0]};
            this.lnP = new double[] {0};
            if (loaded.stream()) {
                state = model.newState(1);
                logits = new double[][] {context.length == 0 ? bias() : run(context, state)[0]};
            } else {
                state = null;
                logits = windowLogits(context, continuations);
            }
        }

        private Beam(int[] context, int[][] continuations, double[] lnP, RecurrentState state, double[][] logits) {
            this.context = context;
            this.continuations = continuations;
            this.lnP = lnP;
            this.state = state;
            this.logits = logits;
        }

        int size() {
            return continuations.length;
        }

        /** The {@code beam} best one-token extensions; their next logits too if {@code more} steps follow. */
        Beam extend(int beam, boolean more) {
            int vocabulary = logits[0].length;
            // Every (hypothesis, token) pair but <unk>, by total ln p; ties: earlier hypothesis, lower id.
            int candidates = size() * (vocabulary - 1);
            long[] order = new long[candidates];
            double[] total = new double[size() * vocabulary];
            int n = 0;
            for (int h = 0; h < size(); h++) {
                double logSum = Softmax.logSumExp(logits[h]);
                for (int id = 0; id < vocabulary; id++) {
                    total[h * vocabulary + id] = lnP[h] + logits[h][id] - logSum;
                    if (id != Vocabulary.UNKNOWN_ID) {
                        order[n++] = (long) h * vocabulary + id;
                    }
                }
            }
            Long[] boxed = Arrays.stream(order).boxed().toArray(Long[]::new);
            Arrays.sort(boxed, (a, b) -> total[(int) (long) a] != total[(int) (long) b]
                    ? Double.compare(total[(int) (long) b], total[(int) (long) a]) : Long.compare(a, b));
            int keep = Math.min(beam, candidates);
            int[] parents = new int[keep];
            int[] chosen = new int[keep];
            int[][] next = new int[keep][];
            double[] nextLnP = new double[keep];
            for (int i = 0; i < keep; i++) {
                int pair = (int) (long) boxed[i];
                parents[i] = pair / vocabulary;
                chosen[i] = pair % vocabulary;
                int[] parent = continuations[parents[i]];
                next[i] = Arrays.copyOf(parent, parent.length + 1);
                next[i][parent.length] = chosen[i];
                nextLnP[i] = total[pair];
            }
            if (!more) {
                return new Beam(context, next, nextLnP, null, null);
            }
            if (state == null) {
                return new Beam(context, next, nextLnP, null, windowLogits(context, next));
            }
            RecurrentState nextState = state.select(parents);
            return new Beam(context, next, nextLnP, nextState, run(chosen, nextState));
        }

        /** Stream models: feeds one token per row ({@code ids[b]} to row b), or a context to one row. */
        private double[][] run(int[] ids, RecurrentState carried) {
            int rows = carried.batchSize();
            double[][] out = new double[rows][];
            if (rows == 1 && ids.length > 1) {
                // The context, in chunks with the state carried (the buffers stay the size of a chunk).
                INDArray last = null;
                for (int from = 0; from < ids.length; from += Predictor.CHUNK) {
                    int[] chunk = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + Predictor.CHUNK));
                    last = model.logits(new Batch(1, chunk.length, chunk, null, Objective.LAST), carried);
                }
                out[0] = last.getRow(0).toDoubleVector();
                return out;
            }
            INDArray logits = model.logits(new Batch(rows, 1, ids, null, Objective.LAST), carried);
            for (int b = 0; b < rows; b++) {
                out[b] = logits.getRow(b).toDoubleVector();
            }
            return out;
        }

        /**
         * Window models: each hypothesis's last min(W, length) tokens of context and continuation
         * from the zero state, all side by side (every hypothesis has the same length).
         */
        private double[][] windowLogits(int[] context, int[][] hypotheses) {
            int rows = hypotheses.length;
            int length = context.length + hypotheses[0].length;
            int steps = Math.min(loaded.window(), length);
            if (steps == 0) {
                return new double[][] {bias()};
            }
            int[] inputs = new int[rows * steps];
            for (int b = 0; b < rows; b++) {
                for (int t = 0; t < steps; t++) {
                    int at = length - steps + t;
                    inputs[t * rows + b] = at < context.length ? context[at] : hypotheses[b][at - context.length];
                }
            }
            INDArray logits = model.logits(new Batch(rows, steps, inputs, null, Objective.LAST), null);
            double[][] out = new double[rows][];
            for (int b = 0; b < rows; b++) {
                out[b] = logits.getRow(b).toDoubleVector();
            }
            return out;
        }

        private double[] bias() {
            return loaded.startLogits();
        }
    }

}
