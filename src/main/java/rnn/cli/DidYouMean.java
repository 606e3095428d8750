package rnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns picocli's "Unknown option" into "Unknown option '--nhid'; did you mean --hidden?". The
 * guess comes, in order, from the names users bring from PyTorch's word_language_model, Keras and
 * char-rnn; from the same name spelled with underscores, single dashes or other case; from a typo
 * of one of the command's own names (edit distance); and last from picocli's own suggestions
 * (options sharing the first letters, subcommands by similarity).
 */
final class DidYouMean {
    private DidYouMean() {
    }

    /**
     * Another tool's name (lower case, words joined by '-', no leading dashes) to rnn's option. A
     * name that is already rnn's after normalising (batch_size, init_from, validation_split) needs
     * no entry. Used only where the command has the option, so --model means --cell for train
     * (char-rnn's -model) but stays -m elsewhere.
     */
    private static final Map<String, String> FOREIGN_NAMES = Map.ofEntries(
            // PyTorch examples, word_language_model: main.py and generate.py
            Map.entry("nhid", "--hidden"),
            Map.entry("emsize", "--embedding"),
            Map.entry("nlayers", "--layers"),
            Map.entry("bptt", "--window"),
            Map.entry("model", "--cell"),
            Map.entry("save", "--output"),
            Map.entry("dry-run", "--max-batches"),
            Map.entry("checkpoint", "--model"),
            // Keras: layer, fit, optimizer, Tokenizer and EarlyStopping arguments
            Map.entry("units", "--hidden"),
            Map.entry("output-dim", "--embedding"),
            Map.entry("input-length", "--window"),
            Map.entry("learning-rate", "--lr"),
            Map.entry("num-words", "--max-vocab"),
            Map.entry("lower", "--lowercase"),
            Map.entry("return-sequences", "--objective"),
            Map.entry("clipnorm", "--clip"),
            // char-rnn: train.lua and sample.lua
            Map.entry("rnn-size", "--hidden"),
            Map.entry("num-layers", "--layers"),
            Map.entry("seq-length", "--window"),
            Map.entry("max-epochs", "--epochs"),
            Map.entry("grad-clip", "--clip"),
            Map.entry("learning-rate-decay", "--lr-decay"),
            Map.entry("learning-rate-decay-after", "--decay-after"),
            Map.entry("val-frac", "--validation-split"),
            Map.entry("checkpoint-dir", "--output"),
            Map.entry("primetext", "--prime"),
            Map.entry("length", "--words"));

    /** The one-line message for an unknown option or command, with a guess; empty when there is none. */
    static Optional<String> message(UnmatchedArgumentException error) {
        if (error.getUnmatched().isEmpty()) {
            return Optional.empty();
        }
        CommandSpec spec = error.getCommandLine().getCommandSpec();
        String given = error.getUnmatched().get(0);
        if (error.isUnknownOption()) {
            String name = given.contains("=") ? given.substring(0, given.indexOf('=')) : given;
            return optionFor(spec, name).or(() -> first(error.getSuggestions()))
                    .map(guess -> "Unknown option '" + name + "'; did you mean " + guess + "?");
        }
        if (!spec.subcommands().isEmpty() && !given.startsWith("-")) {
            return closest(given, new ArrayList<>(spec.subcommands().keySet())).or(() -> first(error.getSuggestions()))
                    .map(guess -> "Unknown command '" + given + "'; did you mean " + guess + "?");
        }
        return Optional.empty();
    }

    /** The command's option a user most likely meant by {@code given} (say --nhid, -rnn_size or --hiden). */
    static Optional<String> optionFor(CommandSpec spec, String given) {
        String key = normalise(given);
        String foreign = FOREIGN_NAMES.get(key);
        if (foreign != null && spec.findOption(foreign) != null) {
            return Optional.of(spec.findOption(foreign).longestName());
        }
        List<String> names = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            String longName = option.longestName();
            if (normalise(longName).equals(key)) {
                return Optional.of(longName);
            }
            names.add(longName);
        }
        return closest(given.startsWith("--") ? given : "--" + key, names);
    }

    /** "batch-size" for --batch_size, -BATCH_SIZE or --batchSize... (only dashes and case differ). */
    private static String normalise(String name) {
        String bare = name.replaceFirst("^-+", "").replaceAll("([a-z])([A-Z])", "$1-$2");
        return bare.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    /** The candidate within a small edit distance of {@code given} (a typo), nearest first. */
    private static Optional<String> closest(String given, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = editDistance(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        // Two edits for names of five letters or more, one for shorter: --lr is no typo of --seed.
        int bare = given.replaceFirst("^-+", "").length();
        return best != null && bestDistance <= (bare >= 5 ? 2 : 1) ? Optional.of(best) : Optional.empty();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static Optional<String> first(List<String> suggestions) {
        return suggestions.isEmpty() ? Optional.empty() : Optional.of(suggestions.get(0));
    }
}
