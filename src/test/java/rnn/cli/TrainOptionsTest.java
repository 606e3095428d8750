package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Option values `rnn train` cannot use are usage errors: exit 2, the message on one line naming
 * the option (then picocli's "Try ... --help" hint), and nothing created on disk. Options are
 * checked before the corpus is read, so the same errors come with a corpus that does not exist.
 */
class TrainOptionsTest {
    @TempDir
    Path temp;
    Path corpus;

    @BeforeEach
    void writeCorpus() throws IOException {
        corpus = temp.resolve("c.txt");
        Files.writeString(corpus, "the cat sat on the mat .\n".repeat(20));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--max-batches 2 --max-batches 3     | --max-batches is given more than once; give each option once",
            "--lr 0.1 --epochs 2 --lr 0.2        | --lr is given more than once; give each option once",
            "--tied --no-tied                    | --tied is given more than once; give each option once",
            "--hidden 0                          | --hidden must be positive, got 0",
            "--hidden -3                         | --hidden must be positive, got -3",
            "--embedding -1                      | --embedding must be positive, got -1",
            "--layers 0                          | --layers must be positive, got 0",
            "--epochs 0                          | --epochs must be positive, got 0",
            "--epochs -1                         | --epochs must be positive, got -1",
            "--batch-size 0                      | --batch-size must be positive, got 0",
            "--batch-size -2                     | --batch-size must be positive, got -2",
            "--window 0                          | --window must be positive, got 0",
            "--window -5                         | --window must be positive, got -5",
            "--stride 0                          | --stride must be positive, got 0",
            "--lr 0                              | --lr must be positive, got 0.0",
            "--lr -0.1                           | --lr must be positive, got -0.1",
            "--lr NaN                            | --lr must be positive, got NaN",
            "--lr Infinity                       | --lr must be positive, got Infinity",
            "--lr 1e39                           | --lr must be a finite number within a float's range (about 3.4e38), got 1.0E39",
            "--init-scale 1e39                   | --init-scale must be a finite number within a float's range (about 3.4e38), got 1.0E39",
            "--forget-bias 1e39                  | --forget-bias must be a finite number within a float's range (about 3.4e38), got 1.0E39",
            "--forget-bias -1e39                 | --forget-bias must be a finite number within a float's range (about 3.4e38), got -1.0E39",
            "--forget-bias NaN                   | --forget-bias must be a finite number within a float's range (about 3.4e38), got NaN",
            "--dropout 1                         | --dropout must be in [0, 1), got 1.0",
            "--dropout -0.1                      | --dropout must be in [0, 1), got -0.1",
            "--dropout 1.5                       | --dropout must be in [0, 1), got 1.5",
            "--dropout-kind gaussian             | --dropout-kind must be standard or locked, got 'gaussian'",
            "--dropoute 1                        | --dropoute must be in [0, 1), got 1.0",
            "--dropoute -0.1                     | --dropoute must be in [0, 1), got -0.1",
            "--dropoute 0.1 --embedding 0        | --dropoute needs an embedding (not --one-hot)",
            "--wdrop 1                           | --wdrop must be in [0, 1), got 1.0",
            "--wdrop NaN                         | --wdrop must be in [0, 1), got NaN",
            "--cell transformer                  | --cell must be rnn, lstm or gru, got 'transformer'",
            "--tokenizer words                   | --tokenizer 'words' is not one of: word, whitespace, char, regex:PATTERN",
            "--tokenizer regex:(                 | --tokenizer 'regex:(': invalid regular expression",
            "--optimizer lbfgs                   | --optimizer must be one of sgd, rmsprop, adam, got 'lbfgs'",
            "--loss hinge                        | --loss must be crossentropy, mse or kld, got 'hinge'",
            "--tied --embedding 4 --hidden 8     | --tied needs --embedding equal to --hidden, got 4 and 8",
            "--tied --embedding 0                | --tied needs --embedding equal to --hidden, got --one-hot and 8",
            "--one-hot --embedding 4             | --one-hot and --embedding 4 contradict each other",
            "--min-count 1000                    | --min-count 1000 leaves only <unk>",
            "--max-vocab 1                       | --max-vocab must be at least 2 (0 = no limit), got 1",
            "--hidden abc                        | Invalid value for option '--hidden': 'abc' is not an int",
            "--valid v.txt --validation-split 0.2 | use either --valid or --validation-split, not both",
            "--validation-split 0 --patience 2   | --patience needs validation data",
            "--validation-split 0 --decay-on-plateau --lr-decay 0.5 | --decay-on-plateau needs validation data",
            "--decay-on-plateau                  | --decay-on-plateau needs --lr-decay below 1",
            "--preset nope                       | Invalid value for option '--preset': 'nope' is not a preset; choose one of default, seed, ptb-small, ptb-tied, ptb-best",
            "--init normal                       | --init must be uniform, glorot or orthogonal, got 'normal'",
            "--objective first                   | --objective must be all or last, got 'first'",
            "--momentum 0.9                      | --momentum applies only to --optimizer sgd",
            "--hidden 2147483647                 | the model is too large: rnn.weight_ih_l0 would be 8589934588 x 4",
            "--embedding 2000000000              | the model is too large: embedding.weight would be 7 x 2000000000",
    })
    void isAUsageError(String options, String expected) {
        assertUsageError(corpus, options, expected);
        // Only a vocabulary cut-off and the model's size depend on the text; every other option is
        // checked before any corpus is opened, so a missing corpus does not hide the option's error.
        if (!options.startsWith("--min-count") && !expected.startsWith("the model is too large")) {
            assertUsageError(temp.resolve("missing.txt"), options, expected);
        }
    }

    /** Stdin can be read once: as the corpus and as --valid (or twice as a corpus) is a usage error, not "Stream closed". */
    @Test
    void stdinTwiceIsAUsageError() {
        for (String[] args : new String[][] {{"train", "-", "--valid", "-"}, {"train", "-", "-"}}) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("-o", temp.resolve("model").toString(), "--quiet"));
            CliRun run = CliRun.of(all.toArray(String[]::new));
            assertEquals(2, run.exitCode(), run.err());
            assertEquals("rnn train: - (stdin) can be read only once: give it as one CORPUS or as --valid, not both",
                    run.firstErrorLine());
            assertFalse(Files.exists(temp.resolve("model")));
        }
    }

    private void assertUsageError(Path corpus, String options, String expected) {
        Path output = temp.resolve("model");
        List<String> args = new ArrayList<>(List.of("train", corpus.toString(), "-o", output.toString(),
                "--hidden", "8", "--embedding", "4", "--epochs", "1", "--window", "4", "--quiet"));
        // Later options would clash with the defaults above: picocli refuses an option given twice.
        List<String> given = List.of(options.split(" "));
        for (String option : given) {
            int at = args.indexOf(option);
            if (option.startsWith("--") && at > 3) {
                args.remove(at + 1);
                args.remove(at);
            }
        }
        args.addAll(given);
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, run.exitCode(), options + " -> " + run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals(2, lines.size(), "the message and the --help hint: " + run.err());
        assertTrue(lines.get(0).startsWith("rnn train: " + expected), "'" + lines.get(0) + "' should start with 'rnn train: " + expected + "'");
        assertEquals("Try 'rnn train --help' for more information.", lines.get(1));
        assertFalse(Files.exists(output), "nothing created on disk, not even the output directory");
    }
}
