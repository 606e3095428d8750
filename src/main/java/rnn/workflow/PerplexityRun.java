package rnn.workflow;

import java.util.ArrayDeque;

import rnn.RnnException;
import rnn.text.LineReader;
import rnn.text.TextSource;
import rnn.text.Tokenizer;
import rnn.text.Vocabulary;
import rnn.workflow.Perplexity.Line;
import rnn.workflow.Perplexity.LineSink;
import rnn.workflow.Perplexity.Report;
import rnn.workflow.Perplexity.Token;
import rnn.workflow.Perplexity.TokenSink;

/** One pass: tokens are buffered into chunks, scored, and credited to their lines. */
final class PerplexityRun {
    private final InferenceModel loaded;
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

    PerplexityRun(InferenceModel loaded, boolean independent, LineSink lineSink, TokenSink tokenSink, Scorer scorer) {
        this.loaded = loaded;
        this.independent = independent;
        this.lineSink = lineSink;
        this.tokenSink = tokenSink;
        this.tokenizer = loaded.tokenizer();
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
        return new Report(text.name(), loaded.directory().toString(), lineCount, tokens, oovs, lnSum / Perplexity.LN10, lnSum,
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
            line.log10 += lnP[i] / Perplexity.LN10;
            lnSum += lnP[i];
            if (oov[i]) {
                line.oovs++;
                oovs++;
            } else {
                lnSumKnown += lnP[i];
            }
            if (spelling != null) {
                if (open) {
                    open = tokenSink.accept(new Token(line.number, spelling[i], lnP[i] / Perplexity.LN10, oov[i]));
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
}
