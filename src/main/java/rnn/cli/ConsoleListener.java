package rnn.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import rnn.checkpoint.Json;
import rnn.train.EpochResult;
import rnn.train.TrainingListener;
import rnn.train.TrainingPlan;

/**
 * Training progress for people on stderr (a live progress bar with ETA on a terminal, then a line per
 * epoch)
 * and, with --json, one JSON object per epoch on stdout for scripts.
 */
final class ConsoleListener implements TrainingListener {
    private final PrintWriter err;
    private final PrintWriter out;
    private final boolean json;
    private final boolean quiet;
    private final boolean live;
    /** -v: a line when validation starts, which can take minutes on a large held-out text. */
    private final boolean verbose;
    private int epochs;
    /** The live bar of the epoch in progress (terminal only). */
    private ProgressBar bar;

    ConsoleListener(PrintWriter out, PrintWriter err, boolean json, boolean quiet, boolean verbose) {
        this(out, err, json, quiet, !quiet && System.console() != null, verbose);
    }

    /** {@code live}: show the progress bar (on a terminal). */
    ConsoleListener(PrintWriter out, PrintWriter err, boolean json, boolean quiet, boolean live, boolean verbose) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.quiet = quiet;
        this.live = live;
        this.verbose = verbose && !quiet;
    }

    @Override
    public void onStart(TrainingPlan plan) {
        epochs = plan.epochs();
        if (!quiet) {
            err.printf(Locale.ROOT, "model: %s%n", plan.summary());
            err.printf(Locale.ROOT, "data: %,d training tokens, %,d validation tokens, vocabulary %,d; %,d parameters; %,d batches per epoch%n",
                    plan.trainTokens(), plan.validationTokens(), plan.vocabularySize(), plan.parameters(),
                    plan.batchesPerEpoch());
            err.flush();
        }
    }

    @Override
    public void onBatch(int epoch, int batch, int batchesInEpoch, double runningLoss, double tokensPerSecond) {
        if (!live) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                    .setInitialMax(batchesInEpoch)
                    .startsFrom(batch - 1, Duration.ZERO)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUnit(" batches", 1)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .build();
        }
        bar.stepTo(batch);
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %,.0f tok/s", runningLoss, tokensPerSecond));
    }

    @Override
    public void onValidation(int epoch, long tokens) {
        if (bar != null) {
            bar.setExtraMessage(String.format(Locale.ROOT, " validating on %,d tokens", tokens));
        }
        if (verbose) {
            err.printf(Locale.ROOT, "epoch %d: validating on %,d tokens%n", epoch, tokens);
            err.flush();
        }
    }

    @Override
    public void onEpoch(EpochResult r) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        if (!quiet) {
            String validation = r.validationLoss() == null ? ""
                    : String.format(Locale.ROOT, " | valid loss %.4f%s acc %.4f top5 %.4f", r.validationLoss(),
                            perplexity(r.validationPerplexity()), r.validationAccuracy(), r.validationTop5Accuracy());
            err.printf(Locale.ROOT, "epoch %3d/%d | train loss %.4f%s%s | %,.0f tok/s | lr %.4g | %.1f s%n",
                    r.epoch(), epochs, r.trainLoss(), perplexity(r.trainPerplexity()), validation, r.tokensPerSecond(),
                    r.learningRate(), r.seconds());
            err.flush();
        }
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("epoch", r.epoch());
            line.put("train_loss", r.trainLoss());
            line.put("train_ppl", r.trainPerplexity());
            line.put("valid_loss", r.validationLoss());
            line.put("valid_ppl", r.validationPerplexity());
            line.put("valid_acc", r.validationAccuracy());
            line.put("valid_top5_acc", r.validationTop5Accuracy());
            line.put("tokens_per_s", r.tokensPerSecond());
            line.put("lr", r.learningRate());
            line.put("seconds", r.seconds());
            out.println(Json.toJson(line));
            out.flush();
        }
    }

    /** " ppl X", or nothing for a loss without a perplexity (mse). */
    private static String perplexity(Double perplexity) {
        return perplexity == null ? "" : String.format(Locale.ROOT, " ppl %.2f", perplexity);
    }

    @Override
    public void onNotice(String message) {
        if (!quiet) {
            err.println(message);
            err.flush();
        }
    }
}
