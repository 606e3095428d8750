package rnn.train;

import java.util.List;
import java.util.Locale;

import rnn.InvalidConfigException;
import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.engine.loss.Loss;

/**
 * Every setting of a training run, validated once here; messages name the command-line option.
 * Stored in model.json so a run can be resumed and reproduced.
 */
public record TrainConfig(
        List<String> corpora, String validFile, double validationSplit,
        String tokenizer, boolean lowercase, int minCount, int maxVocab,
        int window, int stride, Objective objective, boolean stateful,
        CellType cell, int layers, int hidden, int embedding, double dropout, boolean tied,
        String init, double initScale, double forgetBias,
        int epochs, int batchSize, boolean shuffle,
        String optimizer, double lr, double momentum, double lrDecay, int decayAfter, boolean decayOnPlateau,
        double clip, Loss loss, int patience, long seed, int threads, int saveEvery, int maxBatches,
        String output) {

    public TrainConfig {
        corpora = List.copyOf(corpora);
        if (corpora.isEmpty()) {
            throw new InvalidConfigException("give at least one CORPUS file (or - for stdin)");
        }
        if (!(validationSplit >= 0 && validationSplit < 1)) {
            throw new InvalidConfigException("--validation-split must be in [0, 1), got " + validationSplit);
        }
        if (validFile != null && validationSplit > 0) {
            throw new InvalidConfigException("use either --valid or --validation-split, not both");
        }
        positive(minCount, "--min-count");
        if (maxVocab < 2) {
            throw new InvalidConfigException("--max-vocab must be at least 2, got " + maxVocab);
        }
        positive(window, "--window");
        positive(stride, "--stride");
        if (stateful && objective != Objective.ALL) {
            throw new InvalidConfigException("--stateful trains every position; it cannot be combined with --objective last");
        }
        positive(layers, "--layers");
        positive(hidden, "--hidden");
        if (embedding < 0) {
            throw new InvalidConfigException("--embedding must be positive, got " + embedding);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidConfigException("--dropout must be in [0, 1), got " + dropout);
        }
        if (tied && embedding != hidden) {
            throw new InvalidConfigException("--tied needs --embedding equal to --hidden, got "
                    + (embedding == 0 ? "--one-hot" : embedding) + " and " + hidden);
        }
        init = init.toLowerCase(Locale.ROOT);
        if (!init.equals("uniform") && !init.equals("glorot")) {
            throw new InvalidConfigException("--init must be uniform or glorot, got '" + init + "'");
        }
        if (!(initScale > 0 && Double.isFinite(initScale))) {
            throw new InvalidConfigException("--init-scale must be positive, got " + initScale);
        }
        positive(epochs, "--epochs");
        positive(batchSize, "--batch-size");
        if (!(lr > 0 && Double.isFinite(lr))) {
            throw new InvalidConfigException("--lr must be positive, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidConfigException("--momentum must be in [0, 1), got " + momentum);
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw new InvalidConfigException("--lr-decay must be in (0, 1], got " + lrDecay);
        }
        if (decayAfter < 0) {
            throw new InvalidConfigException("--decay-after must not be negative, got " + decayAfter);
        }
        if (!(clip >= 0)) {
            throw new InvalidConfigException("--clip must not be negative (0 = no clipping), got " + clip);
        }
        if (patience < 0) {
            throw new InvalidConfigException("--patience must not be negative (0 = off), got " + patience);
        }
        if (threads < 0) {
            throw new InvalidConfigException("--threads must not be negative (0 = automatic), got " + threads);
        }
        if (saveEvery < 0) {
            throw new InvalidConfigException("--save-every must not be negative (0 = each epoch only), got " + saveEvery);
        }
        if (maxBatches < 0) {
            throw new InvalidConfigException("--max-batches must not be negative (0 = whole epochs), got " + maxBatches);
        }
        if (cell == null || objective == null || loss == null) {
            throw new InvalidConfigException("--cell, --objective and --loss need values");
        }
    }

    private static void positive(int value, String option) {
        if (value < 1) {
            throw new InvalidConfigException(option + " must be positive, got " + value);
        }
    }

    public boolean oneHot() {
        return embedding == 0;
    }

    public boolean hasValidation() {
        return validFile != null || validationSplit > 0;
    }

    /** The same run with a different epoch count (resuming to train longer). */
    public TrainConfig withEpochs(int newEpochs) {
        return new TrainConfig(corpora, validFile, validationSplit, tokenizer, lowercase, minCount, maxVocab,
                window, stride, objective, stateful, cell, layers, hidden, embedding, dropout, tied,
                init, initScale, forgetBias, newEpochs, batchSize, shuffle, optimizer, lr, momentum, lrDecay,
                decayAfter, decayOnPlateau, clip, loss, patience, seed, threads, saveEvery, maxBatches, output);
    }
}
