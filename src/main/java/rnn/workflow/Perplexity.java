package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import rnn.InvalidConfigException;
import rnn.RnnException;
import rnn.checkpoint.ModelStore;
import rnn.engine.ParameterShapes;
import rnn.engine.Batch;
import rnn.engine.EngineThreads;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.engine.RecurrentState;
import rnn.text.LineReader;
import rnn.text.TextSource;
import rnn.text.Tokenizer;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;
import rnn.train.DataConfig;

/**
 * Scores a text with a saved model: the probability the model gives each token after the tokens
 * before it, summed in log space.
 *
 * <p>Conventions (KenLM's, with its "excluding OOVs" figure):
 * <ul>
 * <li>The text is tokenized with the model's own tokenizer, with its line-end token after every
 * line as in training ({@code <eos>} for whitespace, {@code "\n"} for char, none for word/regex);
 * line-end tokens count as tokens.</li>
 * <li>Every token is predicted, the first one from the zero start state (the decoder bias alone).</li>
 * <li>A token the vocabulary lacks is an OOV: it is scored as {@code <unk>}. A literal
 * {@code <unk>} in the text is an ordinary token, not an OOV.</li>
 * <li>perplexity = 10^(-sum log10 p / N) = exp(mean of -ln p) over all N tokens; excluding OOVs,
 * the OOV tokens' own probabilities leave the sum and N (they still serve as context).</li>
 * <li>Context as in training: a stream model ({@code --stateful}) carries its state through the
 * text. By default the text is scored in segments of up to {@value #SEGMENT} tokens, {@value #STREAMS}
 * side by side, each starting from the state its {@value #WARM_UP} preceding tokens leave (on PTB
 * test 97.4058 against the exact 97.4050, and 1.6 times as fast); with one stream the state is
 * carried over the whole text exactly, in chunks of {@value #SEGMENT} steps with batch 1. A window model
 * reads each token's up to W preceding tokens from the zero state, W steps of work per token, in
 * batches of {@value #WINDOW_BATCH} windows.</li>
 * </ul>
 * Contexts run across line ends in both modes, as in training; per-line figures attribute each
 * token to the line it came from. The text is read once, in constant memory, so stdin works.
 */
public final class Perplexity {
    /** Default number of stream segments scored side by side. */
    public static final int STREAMS = 64;
    /** More would not fit in memory: each thread's logits are [S / threads x 32, V] floats. */
    public static final int MAX_STREAMS = 1024;
    /** Tokens per stream segment (and per forward pass with --streams 1). */
    public static final int SEGMENT = 2048;
    /** Tokens a segment is warmed up on before it is scored. */
    public static final int WARM_UP = 128;
    /** Steps per forward pass of the segments side by side (logits of S x 32 rows). */
    private static final int STEP_CHUNK = 32;
    /** Windows per forward pass for window models. */
    public static final int WINDOW_BATCH = 256;
    private static final int WINDOW_CHUNK = 8 * WINDOW_BATCH;
    private static final double LN10 = Math.log(10);

    private Perplexity() {
    }

    /** One input line's share: the tokens it holds (its line-end token included) and their log10 probability. */
    public record Line(long number, String text, int tokens, int oovs, double log10Probability) {
        /** The fields under the command line's JSON names, in the order of the text output. */
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("line", number);
            fields.put("log10_probability", log10Probability);
            fields.put("tokens", tokens);
            fields.put("oovs", oovs);
            fields.put("text", text);
            return fields;
        }
    }

    /** Receives per-line results in input order; returns false to stop reading. */
    @FunctionalInterface
    public interface LineSink {
        boolean accept(Line line);
    }

    /**
     * One token's score: the token as the text has it (an OOV keeps its own spelling; the line
     * end is the model's line-end token) and its log10 probability, scored as {@code <unk>} if
     * it is an OOV.
     */
    public record Token(long line, String token, double log10Probability, boolean oov) {
        /** The fields under the command line's JSON names, in the order of the text output. */
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("token", token);
            fields.put("log10_probability", log10Probability);
            fields.put("oov", oov);
            fields.put("line", line);
            return fields;
        }
    }

    /** Receives per-token results in text order; returns false to stop reading. */
    @FunctionalInterface
    public interface TokenSink {
        boolean accept(Token token);
    }

    /**
     * How a text is scored.
     *
     * @param streams     stream models: segments scored side by side (1 = one exact pass), and
     *                    with {@code independent} the lines scored side by side
     * @param independent every line on its own from the zero start state, its line-end token
     *                    scored where the tokenizer has one, so that a line's score does not
     *                    depend on the text around it
     */
    public record Options(int streams, boolean independent) {
        public Options {
            if (streams < 1 || streams > MAX_STREAMS) {
                throw new InvalidConfigException("--streams must be between 1 and " + MAX_STREAMS + ", got " + streams);
            }
        }

        /** Segmented streams, contexts across line ends. */
        public static Options defaults() {
            return new Options(STREAMS, false);
        }
    }

    /**
     * The figures for the whole text.
     *
     * @param log10Likelihood         sum of log10 p over every token, OOVs included
     * @param lnLikelihood            the same in natural log
     * @param crossEntropyBits        -sum log2 p / N: bits per token
     * @param perplexity              10^(-log10Likelihood / N)
     * @param perplexityExcludingOovs the same over the in-vocabulary tokens only (null if all are OOVs)
     * @param context                 how tokens were given context
     * @param complete                false if the line sink stopped the pass early
     */
    public record Report(String text, String model, long lines, long tokens, long oovs, double log10Likelihood,
                         double lnLikelihood, double crossEntropyBits, double perplexity,
                         Double perplexityExcludingOovs, String context, double seconds, double tokensPerSecond,
                         boolean complete) {
        /** The figures under the command line's JSON names. */
        public Map<String, Object> fields() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("text", text);
            fields.put("model", model);
            fields.put("context", context);
            fields.put("lines", lines);
            fields.put("tokens", tokens);
            fields.put("oovs", oovs);
            fields.put("log10_likelihood", log10Likelihood);
            fields.put("ln_likelihood", lnLikelihood);
            fields.put("cross_entropy_bits", crossEntropyBits);
            fields.put("perplexity", perplexity);
            fields.put("perplexity_excluding_oovs", perplexityExcludingOovs);
            fields.put("seconds", seconds);
            fields.put("tokens_per_second", tokensPerSecond);
            return fields;
        }

        /** Readable lines, one figure each. */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            lines.add("text: " + text);
            lines.add("model: " + model);
            lines.add("context: " + context);
            lines.add(String.format(Locale.ROOT, "tokens: %d (%d OOVs)", tokens, oovs));
            lines.add(String.format(Locale.ROOT, "log-likelihood: %.4f (log10), %.4f (ln)", log10Likelihood, lnLikelihood));
            lines.add(String.format(Locale.ROOT, "cross-entropy: %.4f bits/token", crossEntropyBits));
            lines.add(String.format(Locale.ROOT, "perplexity: %.4f", perplexity));
            lines.add("perplexity excluding OOVs: " + (perplexityExcludingOovs == null ? "n/a (every token is an OOV)"
                    : String.format(Locale.ROOT, "%.4f", perplexityExcludingOovs)));
            return lines;
        }
    }

    /** Scores {@code text} with the model in {@code directory} (models/latest when null); see below. */
    public static Report score(Path directory, TextSource text, Options options, LineSink lines, TokenSink tokens) {
        return score(ModelStore.load(ModelDirectory.resolve(directory)), text, options, lines, tokens);
    }

    /**
     * Scores {@code text}; {@code lines} (may be null) gets each line's share as soon as it is
     * complete. A stream model runs {@code streams} segments side by side ({@value #SEGMENT}
     * tokens each, warmed up on their {@value #WARM_UP} preceding tokens); 1 scores the text as
     * one stream with its state carried exactly.
     */
    public static Report score(ModelStore.LoadedModel loaded, TextSource text, LineSink lines, int streams) {
        return score(loaded, text, new Options(streams, false), lines, null);
    }

    /**
     * Scores {@code text} as {@code options} say; {@code lines} and {@code tokens} (either may be
     * null) get each line's and each token's score in text order as soon as they are known.
     */
    public static Report score(ModelStore.LoadedModel loaded, TextSource text, Options options, LineSink lines,
                               TokenSink tokens) {
        return score(loaded, text, options, lines, tokens, SEGMENT, WARM_UP, WINDOW_CHUNK, WINDOW_BATCH);
    }

    /** With other chunk and batch sizes (tests use tiny ones). */
    static Report score(ModelStore.LoadedModel loaded, TextSource text, LineSink lines, int streams, int segment,
                        int warmUp, int windowChunk, int windowBatch) {
        return score(loaded, text, new Options(streams, false), lines, null, segment, warmUp, windowChunk, windowBatch);
    }

    /** With other chunk and batch sizes (tests use tiny ones). */
    static Report score(ModelStore.LoadedModel loaded, TextSource text, Options options, LineSink lines,
                        TokenSink tokens, int segment, int warmUp, int windowChunk, int windowBatch) {
        DataConfig training = loaded.manifest().data();
        int streams = options.streams();
        Scorer scorer;
        if (!training.stateful()) {
            scorer = new WindowScorer(loaded.model(), training.window(), options.independent(), windowChunk,
                    windowBatch);
        } else if (options.independent()) {
            scorer = new IndependentLineScorer(loaded.model(), streams, streams * segment, segment);
        } else if (streams == 1) {
            scorer = new StreamScorer(loaded.model(), segment);
        } else {
            scorer = new SegmentedStreamScorer(loaded.model(), streams, segment, warmUp);
        }
        return new Run(loaded, options.independent(), lines, tokens, scorer).score(text);
    }

    /** One pass: tokens are buffered into chunks, scored, and credited to their lines. */
    private static final class Run {
        private final ModelStore.LoadedModel loaded;
        private final boolean independent;
        private final LineSink lineSink;
        private final TokenSink tokenSink;
        private final Tokenizer tokenizer;
        private final String lineEnd;
        private final Scorer scorer;
        private final int[] ids;
        /** True where a token begins an independently scored line. */
        private final boolean[] starts;
        private final boolean[] oov;
        private final PendingLine[] owner;
        /** The tokens as written, kept only for a token sink. */
        private final String[] spelling;
        private final double[] lnP;
        private final ArrayDeque<PendingLine> pending = new ArrayDeque<>();
        private int buffered;
        private long tokens;
        private long oovs;
        private long lineCount;
        private double lnSum;
        private double lnSumKnown;
        private boolean open = true;

        Run(ModelStore.LoadedModel loaded, boolean independent, LineSink lineSink, TokenSink tokenSink, Scorer scorer) {
            this.loaded = loaded;
            this.independent = independent;
            this.lineSink = lineSink;
            this.tokenSink = tokenSink;
            DataConfig training = loaded.manifest().data();
            this.tokenizer = TokenizerSpec.parse(training.tokenizer(), training.lowercase()).tokenizer();
            this.lineEnd = tokenizer.lineEndToken().orElse(null);
            this.scorer = scorer;
            int chunk = scorer.chunk();
            ids = new int[chunk];
            starts = new boolean[chunk];
            oov = new boolean[chunk];
            owner = new PendingLine[chunk];
            spelling = tokenSink == null ? null : new String[chunk];
            lnP = new double[chunk];
        }

        Report score(TextSource text) {
            long started = System.nanoTime();
            try (LineReader reader = text.open()) {
                for (String line = reader.readLine(); line != null && open; line = reader.readLine()) {
                    PendingLine current = new PendingLine(++lineCount, lineSink == null ? null : line);
                    pending.add(current);
                    tokenizer.tokenize(line, token -> add(token, current));
                    if (lineEnd != null) {
                        add(lineEnd, current);
                    }
                    current.read = true;
                    emitFinished();
                }
            }
            if (open) {
                flush();
                emitFinished();
            }
            if (tokens == 0) {
                throw new RnnException(text.name() + ": no tokens to score (is it empty?)");
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long known = tokens - oovs;
            return new Report(text.name(), loaded.directory().toString(), lineCount, tokens, oovs, lnSum / LN10, lnSum,
                    -lnSum / tokens / Math.log(2), Math.exp(-lnSum / tokens),
                    known == 0 ? null : Math.exp(-lnSumKnown / known), scorer.describe(), seconds,
                    tokens / Math.max(seconds, 1e-9), open);
        }

        private boolean add(String token, PendingLine line) {
            if (!open) {
                return false;
            }
            int id = loaded.vocabulary().id(token);
            ids[buffered] = id;
            starts[buffered] = independent && line.tokens == 0;
            oov[buffered] = id == Vocabulary.UNKNOWN_ID && !token.equals(Vocabulary.UNKNOWN_TOKEN);
            owner[buffered] = line;
            if (spelling != null) {
                spelling[buffered] = token;
            }
            line.tokens++;
            if (++buffered == ids.length) {
                flush();
            }
            return true;
        }

        private void flush() {
            if (buffered == 0) {
                return;
            }
            scorer.score(ids, starts, buffered, lnP);
            for (int i = 0; i < buffered; i++) {
                PendingLine line = owner[i];
                line.scored++;
                line.log10 += lnP[i] / LN10;
                lnSum += lnP[i];
                if (oov[i]) {
                    line.oovs++;
                    oovs++;
                } else {
                    lnSumKnown += lnP[i];
                }
                if (spelling != null) {
                    if (open) {
                        open = tokenSink.accept(new Token(line.number, spelling[i], lnP[i] / LN10, oov[i]));
                    }
                    spelling[i] = null;
                }
                owner[i] = null;
            }
            tokens += buffered;
            buffered = 0;
        }

        /** Hands every finished line at the front of the queue to the sink, in order. */
        private void emitFinished() {
            while (!pending.isEmpty() && pending.peek().finished()) {
                PendingLine line = pending.poll();
                if (lineSink != null && open) {
                    open = lineSink.accept(new Line(line.number, line.text, line.tokens, line.oovs, line.log10));
                }
            }
        }
    }

    private static final class PendingLine {
        final long number;
        final String text;
        int tokens;
        int scored;
        int oovs;
        double log10;
        boolean read;

        PendingLine(long number, String text) {
            this.number = number;
            this.text = text;
        }

        boolean finished() {
            return read && scored == tokens;
        }
    }

    /** Natural-log probabilities of successive tokens of one text, each given everything before it. */
    private abstract static class Scorer {
        private static final long TABLE_BYTES_MAX = 256L << 20;
        final LanguageModel model;
        private double[] startLogProbabilities;
        private LanguageModel[] workers;

        Scorer(LanguageModel model) {
            this.model = model;
        }

        /** How many tokens a call should get at most. */
        abstract int chunk();

        /**
         * Fills lnP[0..n) for ids[0..n), the next n tokens of the text; {@code starts[i]} marks a
         * token that begins an independently scored line (never set when contexts run on).
         */
        abstract void score(int[] ids, boolean[] starts, int n, double[] lnP);

        abstract String describe();

        /** ln p(id) from the zero start state: the softmax of the decoder bias. */
        double fromStart(int id) {
            if (startLogProbabilities == null) {
                double[] bias = model.parameters().value(ParameterShapes.DECODER_BIAS).toDoubleVector();
                double max = Double.NEGATIVE_INFINITY;
                for (double z : bias) {
                    max = Math.max(max, z);
                }
                double sum = 0;
                for (double z : bias) {
                    sum += Math.exp(z - max);
                }
                double logSum = max + Math.log(sum);
                startLogProbabilities = new double[bias.length];
                for (int i = 0; i < bias.length; i++) {
                    startLogProbabilities[i] = bias[i] - logSum;
                }
            }
            return startLogProbabilities[id];
        }

        /**
         * Up to {@code most} models for the engine's threads, made once: all share the weights;
         * a text of at least twice as many tokens as the vocabulary also gets layer 0's input
         * table (see {@link LanguageModel#withInputTable()}), up to {@value #TABLE_BYTES_MAX} bytes of it.
         */
        LanguageModel[] workers(int tokens, int most) {
            if (workers == null) {
                boolean tabled = tokens >= 2L * model.config().vocabSize()
                        && model.inputTableBytes() <= TABLE_BYTES_MAX;
                LanguageModel first = tabled ? model.withInputTable() : model;
                workers = new LanguageModel[Math.max(1, Math.min(most, EngineThreads.configured()))];
                workers[0] = first;
                for (int w = 1; w < workers.length; w++) {
                    workers[w] = first.sharingParameters();
                }
            }
            return workers;
        }

        /**
         * Scores runs that each start from the zero state, up to {@code group} side by side,
         * longest first so that the runs of a batch end about together (the shorter ones padded,
         * the padding's scores dropped); the batches are shared among {@code models}, one thread
         * each. The prediction of {@code tokens[from + 1 + t]} goes to {@code lnP[from + 1 + t - shift]}.
         */
        static void scoreRuns(LanguageModel[] models, int[] tokens, int shift, List<ZeroRun> runs, int group,
                              double[] lnP) {
            if (runs.isEmpty()) {
                return;
            }
            ZeroRun[] sorted = runs.toArray(ZeroRun[]::new);
            Arrays.sort(sorted, Comparator.comparingInt(ZeroRun::steps).reversed());
            int batches = (sorted.length + group - 1) / group;
            int parts = Math.min(models.length, batches);
            EngineThreads.inParallel(parts, w -> {
                for (int k = w; k < batches; k += parts) {
                    scoreRunBatch(models[w], tokens, shift, sorted, k * group,
                            Math.min(sorted.length, (k + 1) * group), lnP);
                }
            });
        }

        /** Runs lo..hi as one batch, {@value #STEP_CHUNK} steps (or the rest, rounded up to 8) per pass. */
        private static void scoreRunBatch(LanguageModel model, int[] tokens, int shift, ZeroRun[] runs, int lo, int hi,
                                          double[] lnP) {
            int count = hi - lo;
            int longest = runs[lo].steps();
            RecurrentState state = model.newState(count);
            for (int t0 = 0; t0 < longest; t0 += STEP_CHUNK) {
                int steps = Math.min(STEP_CHUNK, (longest - t0 + 7) / 8 * 8);
                int[] inputs = new int[count * steps];
                int[] targets = new int[count * steps];
                for (int b = 0; b < count; b++) {
                    ZeroRun run = runs[lo + b];
                    for (int t = 0; t < steps && t0 + t < run.steps(); t++) {
                        inputs[t * count + b] = tokens[run.from() + t0 + t];
                        targets[t * count + b] = tokens[run.from() + t0 + t + 1];
                    }
                }
                double[] scored = model.targetLogProbabilities(new Batch(count, steps, inputs, targets, Objective.ALL),
                        state);
                for (int b = 0; b < count; b++) {
                    ZeroRun run = runs[lo + b];
                    for (int t = Math.max(0, run.skip() - t0); t < steps && t0 + t < run.steps(); t++) {
                        lnP[run.from() + 1 + t0 + t - shift] = scored[t * count + b];
                    }
                }
            }
        }
    }

    /**
     * A run from the zero state over {@code tokens[from, from + steps)}, each step predicting the
     * token after it; the first {@code skip} predictions were scored before and are not kept.
     */
    private record ZeroRun(int from, int steps, int skip) {
    }

    /** Stream models: one sequence, state carried from chunk to chunk, every position predicted. */
    private static final class StreamScorer extends Scorer {
        private final RecurrentState state;
        private final int[] inputs;
        private final int[] targets;
        private int previous = -1;

        StreamScorer(LanguageModel model, int chunk) {
            super(model);
            state = model.newState(1);
            inputs = new int[chunk];
            targets = new int[chunk];
        }

        @Override
        int chunk() {
            return inputs.length;
        }

        @Override
        String describe() {
            return "stream (state carried over the whole text)";
        }

        @Override
        void score(int[] ids, boolean[] starts, int n, double[] lnP) {
            continueText(ids, 0, n, lnP);
        }

        /**
         * Scores ids[from, to) as the continuation of everything fed since the last restart (the
         * first token from the start state if nothing was), in passes of at most chunk() steps.
         */
        void continueText(int[] ids, int from, int to, double[] lnP) {
            if (previous < 0 && from < to) {
                lnP[from] = fromStart(ids[from]);
                previous = ids[from];
                from++;
            }
            while (from < to) {
                int steps = Math.min(inputs.length, to - from);
                inputs[0] = previous;
                System.arraycopy(ids, from, inputs, 1, steps - 1);
                System.arraycopy(ids, from, targets, 0, steps);
                double[] scored = model.targetLogProbabilities(new Batch(1, steps, inputs, targets, Objective.ALL),
                        state);
                System.arraycopy(scored, 0, lnP, from, steps);
                previous = ids[from + steps - 1];
                from += steps;
            }
        }

        /** Back to the start state: the next token is scored as a text's first. */
        void restart() {
            state.reset();
            previous = -1;
        }
    }

    /**
     * Stream models, {@code --independent}: every line from the zero start state, its first token
     * from the decoder bias alone. A chunk's whole lines run side by side, S at a time (see
     * {@link Scorer#scoreRuns}), shared among the threads. A line the chunk cuts, the first
     * (begun in the previous chunk) or the last (which may go on in the next), runs alone with its
     * state kept, so a line of any length scores exactly.
     */
    private static final class IndependentLineScorer extends Scorer {
        private final int lines;
        private final int chunk;
        private final StreamScorer cut;

        IndependentLineScorer(LanguageModel model, int lines, int chunk, int segment) {
            super(model);
            this.lines = lines;
            this.chunk = chunk;
            this.cut = new StreamScorer(model, segment);
        }

        @Override
        int chunk() {
            return chunk;
        }

        @Override
        String describe() {
            return "independent lines (each from the zero start state, " + lines + " side by side)";
        }

        @Override
        void score(int[] ids, boolean[] starts, int n, double[] lnP) {
            int first = 0;
            while (first < n && !starts[first]) {
                first++;
            }
            cut.continueText(ids, 0, first, lnP);
            if (first == n) {
                return;
            }
            int last = n - 1;
            while (!starts[last]) {
                last--;
            }
            List<ZeroRun> runs = new ArrayList<>();
            for (int start = first; start < last; ) {
                int end = start + 1;
                while (!starts[end]) {
                    end++;
                }
                lnP[start] = fromStart(ids[start]);
                if (end - start > 1) {
                    runs.add(new ZeroRun(start, end - start - 1, 0));
                }
                start = end;
            }
            scoreRuns(workers(n, lines), ids, 0, runs, lines, lnP);
            cut.restart();
            cut.continueText(ids, last, n, lnP);
        }
    }

    /**
     * Stream models, fast: each chunk of the text is cut into up to S segments of L tokens that
     * run side by side as one batch. A segment cannot wait for the state its predecessor ends in,
     * so it starts from the state its own W preceding tokens leave from zero (a warm-up, not
     * scored); a segment with fewer than W tokens before it in the text is warmed up on exactly
     * those, so a text shorter than L+1 tokens scores exactly as {@link StreamScorer}. The
     * segments are shared out among the engine's threads, each running its own copy of the
     * model's buffers over the same weights with everything on one core: that beats splitting
     * every product between the cores. A short last segment is padded, and the padding's scores
     * are dropped.
     */
    private static final class SegmentedStreamScorer extends Scorer {
        private static final int PADDING = 0;
        private final int streams;
        private final int segment;
        private final int warmUp;
        /** The warmUp + 1 tokens before the current chunk (fewer at the text's start), then the chunk. */
        private final int[] context;
        private final int offset;
        private long position;

        SegmentedStreamScorer(LanguageModel model, int streams, int segment, int warmUp) {
            super(model);
            this.streams = streams;
            this.segment = segment;
            this.warmUp = warmUp;
            this.offset = warmUp + 1;
            this.context = new int[offset + streams * segment];
        }

        @Override
        int chunk() {
            return streams * segment;
        }

        @Override
        String describe() {
            return "stream, in " + streams + " segments of " + segment + " tokens side by side, each warmed up on its "
                    + warmUp + " preceding tokens (--streams 1: one exact pass)";
        }

        @Override
        void score(int[] ids, boolean[] starts, int n, double[] lnP) {
            System.arraycopy(ids, 0, context, offset, n);
            int from = 0;
            if (position == 0) {
                lnP[0] = fromStart(ids[0]);
                from = 1;
            }
            int length = segmentLength(n - from);
            int count = (n - from + length - 1) / length;
            if (count > 0) {
                int first = from;
                LanguageModel[] workers = workers(n, streams);
                int parts = Math.min(workers.length, count);
                EngineThreads.inParallel(parts, w -> {
                    int lo = (int) ((long) count * w / parts);
                    int hi = (int) ((long) count * (w + 1) / parts);
                    scoreSegments(workers[w], first + lo * length, hi - lo, length, n, lnP);
                });
            }
            System.arraycopy(context, n, context, 0, offset);
            position += n;
        }

        /**
         * L for a full chunk. The text's last chunk is cut into S shorter segments instead, down
         * to 2W tokens each, to keep the batch wide; a text of at most L tokens stays one segment.
         */
        private int segmentLength(int tokens) {
            if (tokens <= segment) {
                return segment;
            }
            int even = (tokens + streams - 1) / streams;
            return Math.min(segment, Math.max(2 * warmUp, even));
        }

        /**
         * Scores the {@code count} consecutive segments of {@code length} tokens from chunk index
         * {@code start} (the last one may end early, at {@code n}). Warm-up inputs are left-padded
         * where a segment has fewer than W tokens before it, its state zeroed where its own
         * history begins.
         */
        private void scoreSegments(LanguageModel model, int start, int count, int length, int n, double[] lnP) {
            RecurrentState state = model.newState(count);
            int[] pad = new int[count];
            for (int b = 0; b < count; b++) {
                long history = position + start + (long) b * length - 1; // tokens before its first input
                pad[b] = (int) (warmUp - Math.min(history, warmUp));
            }
            // The warm-up in pieces of STEP_CHUNK steps (the scoring's own buffers), also cut
            // where a segment's history starts.
            int done = 0;
            while (done < warmUp) {
                int next = Math.min(warmUp, done + STEP_CHUNK);
                for (int p : pad) {
                    if (p > done && p < next) {
                        next = p;
                    }
                }
                int steps = next - done;
                int[] inputs = new int[count * steps];
                for (int b = 0; b < count; b++) {
                    int firstInput = offset + start + b * length - 1 - warmUp;
                    for (int t = 0; t < steps; t++) {
                        int step = done + t;
                        inputs[t * count + b] = step < pad[b] ? PADDING : context[firstInput + step];
                    }
                }
                model.advance(new Batch(count, steps, inputs, null, Objective.ALL), state);
                for (int b = 0; b < count; b++) {
                    if (pad[b] == next) {
                        state.reset(b);
                    }
                }
                done = next;
            }
            // Then the segments themselves, a few steps at a time with the state carried, so the
            // logits stay small ([S x STEP_CHUNK, V]) however long the segments are.
            int longest = Math.min(length, n - start);
            int[] inputs = new int[count * STEP_CHUNK];
            int[] targets = new int[count * STEP_CHUNK];
            for (int t0 = 0; t0 < longest; t0 += STEP_CHUNK) {
                for (int b = 0; b < count; b++) {
                    int segmentStart = start + b * length;
                    int end = Math.min(segmentStart + length, n);
                    for (int t = 0; t < STEP_CHUNK; t++) {
                        int at = segmentStart + t0 + t;
                        boolean real = at < end;
                        inputs[t * count + b] = real ? context[offset + at - 1] : PADDING;
                        targets[t * count + b] = real ? context[offset + at] : PADDING;
                    }
                }
                double[] scored = model.targetLogProbabilities(
                        new Batch(count, STEP_CHUNK, inputs, targets, Objective.ALL), state);
                for (int b = 0; b < count; b++) {
                    int segmentStart = start + b * length;
                    int end = Math.min(segmentStart + length, n);
                    for (int t = 0; t < STEP_CHUNK && segmentStart + t0 + t < end; t++) {
                        lnP[segmentStart + t0 + t] = scored[t * count + b];
                    }
                }
            }
        }
    }

    /**
     * Window models: the token at position p is predicted from the min(p, W) tokens before it,
     * starting from the zero state, as in training and in {@link Predictor}; with independent
     * lines, p counts from the line's start. Positions with fewer than W tokens before them come
     * from runs over the first tokens from the zero state, every position predicted (one run per
     * line start, side by side); the rest from windows of exactly W, batched, only the last
     * position predicted.
     */
    private static final class WindowScorer extends Scorer {
        private final int window;
        private final boolean independent;
        private final int chunk;
        private final int batch;
        /** The last (at most W) tokens before the current chunk, then the chunk. */
        private final int[] extended;
        private int tail;
        /** Tokens before the next one that its context may use (at most W). */
        private int available;
        private final int[] inputs;
        private final int[] targets;
        private final int[] rowOf;
        /** Positions in {@code extended} that get a whole window. */
        private final int[] windowed;

        WindowScorer(LanguageModel model, int window, boolean independent, int chunk, int batch) {
            super(model);
            this.window = window;
            this.independent = independent;
            this.chunk = chunk;
            this.batch = batch;
            this.extended = new int[window + chunk];
            this.inputs = new int[batch * window];
            this.targets = new int[batch];
            this.rowOf = new int[batch];
            this.windowed = new int[chunk];
        }

        @Override
        int chunk() {
            return chunk;
        }

        @Override
        String describe() {
            return "window (each token from up to " + window + " preceding tokens" + (independent ? " of its own line" : "")
                    + ", zero start state)";
        }

        @Override
        void score(int[] ids, boolean[] starts, int n, double[] lnP) {
            System.arraycopy(ids, 0, extended, tail, n);
            int end = tail + n;
            List<ZeroRun> runs = new ArrayList<>();
            int windows = 0;
            for (int i = 0; i < n; i++) {
                if (starts[i]) {
                    available = 0;
                }
                int position = tail + i;
                if (available == 0) {
                    lnP[i] = fromStart(ids[i]);
                } else if (available < window) {
                    int from = position - available;
                    ZeroRun last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                    if (last != null && last.from() == from) {
                        runs.set(runs.size() - 1, new ZeroRun(from, available, last.skip()));
                    } else {
                        runs.add(new ZeroRun(from, available, available - 1));
                    }
                } else {
                    windowed[windows++] = position;
                }
                available = Math.min(window, available + 1);
            }
            scoreRuns(new LanguageModel[] {model}, extended, tail, runs, STREAMS, lnP);
            for (int i = 0; i < windows; ) {
                int count = Math.min(batch, windows - i);
                for (int b = 0; b < batch; b++) {
                    int position = windowed[i + Math.min(b, count - 1)]; // pad with the last window: same shape every time
                    rowOf[b] = position;
                    targets[b] = extended[position];
                    for (int t = 0; t < window; t++) {
                        inputs[t * batch + b] = extended[position - window + t];
                    }
                }
                double[] scored = model.targetLogProbabilities(
                        new Batch(batch, window, inputs, targets, Objective.LAST), null);
                for (int b = 0; b < count; b++) {
                    lnP[rowOf[b] - tail] = scored[b];
                }
                i += count;
            }
            int keep = Math.min(window, end);
            System.arraycopy(extended, end - keep, extended, 0, keep);
            tail = keep;
        }
    }
}
