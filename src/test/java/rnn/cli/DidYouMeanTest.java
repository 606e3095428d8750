package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An unknown option or command is a usage error (exit 2) whose first line names what was typed
 * and the option or command the user most likely meant: names from PyTorch's
 * word_language_model, Keras and char-rnn, other spellings of rnn's own names, and typos.
 */
class DidYouMeanTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // the names the issue lists
            "train x --batch_size 32        | rnn train: Unknown option '--batch_size'; did you mean --batch-size?",
            "train x --batch_size=32        | rnn train: Unknown option '--batch_size'; did you mean --batch-size?",
            "train x --learning-rate 0.1    | rnn train: Unknown option '--learning-rate'; did you mean --lr?",
            "train x --nhid 200             | rnn train: Unknown option '--nhid'; did you mean --hidden?",
            "train x --emsize 200           | rnn train: Unknown option '--emsize'; did you mean --embedding?",
            "train x --bptt 35              | rnn train: Unknown option '--bptt'; did you mean --window?",
            "train x --units 128            | rnn train: Unknown option '--units'; did you mean --hidden?",
            "predct                         | rnn: Unknown command 'predct'; did you mean predict?",
            // word_language_model
            "train x --nlayers 2            | rnn train: Unknown option '--nlayers'; did you mean --layers?",
            "train x --model LSTM           | rnn train: Unknown option '--model'; did you mean --cell?",
            "train x --save m               | rnn train: Unknown option '--save'; did you mean --output?",
            "generate --checkpoint m        | rnn generate: Unknown option '--checkpoint'; did you mean --model?",
            // Keras
            "train x --learning_rate 0.1    | rnn train: Unknown option '--learning_rate'; did you mean --lr?",
            "train x --validation_split 0.1 | rnn train: Unknown option '--validation_split'; did you mean --validation-split?",
            "train x --num_words 1000       | rnn train: Unknown option '--num_words'; did you mean --max-vocab?",
            // char-rnn, single dash and underscores
            "train x -rnn_size 128          | rnn train: Unknown option '-rnn_size'; did you mean --hidden?",
            "train x -seq_length 50         | rnn train: Unknown option '-seq_length'; did you mean --window?",
            "train x -max_epochs 5          | rnn train: Unknown option '-max_epochs'; did you mean --epochs?",
            "train x -grad_clip 5           | rnn train: Unknown option '-grad_clip'; did you mean --clip?",
            "train x -init_from m           | rnn train: Unknown option '-init_from'; did you mean --init-from?",
            "generate -primetext the        | rnn generate: Unknown option '-primetext'; did you mean --prime?",
            "generate -length 20            | rnn generate: Unknown option '-length'; did you mean --words?",
            // typos of rnn's own names
            "train x --hiden 8              | rnn train: Unknown option '--hiden'; did you mean --hidden?",
            "train x --epoch 2              | rnn train: Unknown option '--epoch'; did you mean --epochs?",
            "train x --optimiser adam       | rnn train: Unknown option '--optimiser'; did you mean --optimizer?",
            // too far for a typo: picocli's guess, an option starting with the same letters
            "train x --shuf                 | rnn train: Unknown option '--shuf'; did you mean --shuffle?",
            "generate --temprature 2        | rnn generate: Unknown option '--temprature'; did you mean --temperature?",
            "perplexity - --perline         | rnn perplexity: Unknown option '--perline'; did you mean --per-line?",
            "genrate                        | rnn: Unknown command 'genrate'; did you mean generate?",
            "sumary                         | rnn: Unknown command 'sumary'; did you mean summary?",
    })
    void unknownNamesGetAGuess(String args, String expected) {
        CliRun run = CliRun.of(args.trim().split(" +"));
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(expected, run.firstErrorLine());
        assertEquals("", run.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "train x --zzzz 3   | rnn train: Unknown option: '--zzzz'",
            "predict --temprature 2 | rnn predict: Unknown option: '--temprature'",
            "xyzzy              | rnn: Unmatched argument at index 0: 'xyzzy'",
    })
    void nothingCloseMeansNoGuess(String args, String expected) {
        CliRun run = CliRun.of(args.trim().split(" +"));
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(expected, run.firstErrorLine());
    }
}
