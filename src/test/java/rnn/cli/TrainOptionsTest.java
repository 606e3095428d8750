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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Option values `rnn train` cannot use are usage errors: exit 2, the message on one line naming
 * the option (then picocli's "Try ... --help" hint), and nothing created on disk.
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
            "--dropout 1                         | --dropout must be in [0, 1), got 1.0",
            "--dropout -0.1                      | --dropout must be in [0, 1), got -0.1",
            "--dropout 1.5                       | --dropout must be in [0, 1), got 1.5",
            "--cell transformer                  | --cell must be rnn, lstm or gru, got 'transformer'",
            "--tokenizer words                   | --tokenizer 'words' is not one of: word, whitespace, char, regex:PATTERN",
            "--tokenizer regex:(                 | --tokenizer 'regex:(': invalid regular expression",
            "--optimizer lbfgs                   | --optimizer must be one of sgd, rmsprop, adam, got 'lbfgs'",
            "--loss hinge                        | --loss must be crossentropy, mse or kld, got 'hinge'",
            "--tied --embedding 4 --hidden 8     | --tied needs --embedding equal to --hidden, got 4 and 8",
            "--tied --one-hot                    | --tied needs --embedding equal to --hidden, got --one-hot and 8",
            "--min-count 1000                    | --min-count 1000 leaves only <unk>",
            "--max-vocab 1                       | --max-vocab must be at least 2, got 1",
            "--hidden abc                        | Invalid value for option '--hidden': 'abc' is not an int",
            "--hidden 2147483647                 | the model is too large: rnn.weight_ih_l0 would be 8589934588 x 4",
            "--embedding 2000000000              | the model is too large: embedding.weight would be 7 x 2000000000",
    })
    void isAUsageError(String options, String expected) {
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
