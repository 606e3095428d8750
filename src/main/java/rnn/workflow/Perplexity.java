package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import rnn.InvalidConfigException;
import rnn.engine.LanguageModel;
import rnn.text.TextSource;

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
    static final int STEP_CHUNK = 32;
    /** Windows per forward pass for window models. */
    public static final int WINDOW_BATCH = 256;
    private static final int WINDOW_CHUNK = 8 * WINDOW_BATCH;
    static final double LN10 = Math.log(10);

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

    /** Scores {@code text} with the model in {@code directory} (the model trained last when null); see below. */
    public static Report score(Path directory, TextSource text, Options options, LineSink lines, TokenSink tokens) {
        return score(InferenceModel.open(directory), text, options, lines, tokens);
    }

    /**
     * Scores {@code text}; {@code lines} (may be null) gets each line's share as soon as it is
     * complete. A stream model runs {@code streams} segments side by side ({@value #SEGMENT}
     * tokens each, warmed up on their {@value #WARM_UP} preceding tokens); 1 scores the text as
     * one stream with its state carried exactly.
     */
    public static Report score(InferenceModel loaded, TextSource text, LineSink lines, int streams) {
        return score(loaded, text, new Options(streams, false), lines, null);
    }

    /**
     * Scores {@code text} as {@code options} say; {@code lines} and {@code tokens} (either may be
     * null) get each line's and each token's score in text order as soon as they are known.
     */
    public static Report score(InferenceModel loaded, TextSource text, Options options, LineSink lines,
                               TokenSink tokens) {
        return score(loaded, text, options, lines, tokens, SEGMENT, WARM_UP, WINDOW_CHUNK, WINDOW_BATCH);
    }

    /** With other chunk and batch sizes (tests use tiny ones). */
    static Report score(InferenceModel loaded, TextSource text, LineSink lines, int streams, int segment,
                        int warmUp, int windowChunk, int windowBatch) {
        return score(loaded, text, new Options(streams, false), lines, null, segment, warmUp, windowChunk, windowBatch);
    }

    /** With other chunk and batch sizes (tests use tiny ones). */
    static Report score(InferenceModel loaded, TextSource text, Options options, LineSink lines,
                        TokenSink tokens, int segment, int warmUp, int windowChunk, int windowBatch) {
        int streams = options.streams();
        // Scoring never trains: the per-step products of a few rows may run on heap copies of W_hh.
        LanguageModel model = loaded.model().withStepWeights();
        Scorer scorer;
        if (!loaded.stream()) {
            scorer = new WindowScorer(model, loaded.window(), options.independent(), windowChunk, windowBatch);
        } else if (options.independent()) {
            scorer = new IndependentLineScorer(model, streams, streams * segment, segment);
        } else if (streams == 1) {
            scorer = new StreamScorer(model, segment);
        } else {
            scorer = new SegmentedStreamScorer(model, streams, segment, warmUp);
        }
        return new PerplexityRun(loaded, options.independent(), lines, tokens, scorer).score(text);
    }
}
