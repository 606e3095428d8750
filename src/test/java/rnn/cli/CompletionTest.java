package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script `rnn generate-completion` prints offers the values of the options that have a fixed
 * set: bash sources it and completes a command line as Tab would, and the test reads COMPREPLY.
 */
class CompletionTest {
    @TempDir
    static Path temp;
    static Path script;

    @BeforeAll
    static void writeScript() throws IOException {
        CliRun run = CliRun.of("generate-completion");
        assertEquals(0, run.exitCode(), run.err());
        script = Files.writeString(temp.resolve("rnn_completion"), run.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "rnn train x --cell       | gru lstm rnn",
            "rnn train --optimizer    | adam rmsprop sgd",
            "rnn train --loss         | crossentropy kld mse",
            "rnn train --preset       | default ptb-best ptb-small ptb-tied seed",
            "rnn train --tokenizer    | char regex: whitespace word",
            "rnn vocab --tokenizer    | char regex: whitespace word",
            "rnn windows --tokenizer  | char regex: whitespace word",
            "rnn train --objective    | all last",
    })
    void optionValuesAreOffered(String line, String expected) throws Exception {
        assertEquals(expected, complete(line, ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "rnn train --cell | g   | gru",
            "rnn              | pre | predict presets",
    })
    void aPrefixNarrowsThem(String line, String typed, String expected) throws Exception {
        assertEquals(expected, complete(line, typed));
    }

    /** What Tab offers, sorted, when {@code typed} is being typed after the words of {@code line}. */
    private static String complete(String line, String typed) throws Exception {
        String words = line + " '" + typed + "'";
        String driver = "compopt() { :; }\n" // only valid inside a real completion; not needed to read COMPREPLY
                + "source '" + script + "'\n"
                + "COMP_WORDS=(" + words + ")\n"
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_rnn\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\" | sort | paste -sd ' '\n";
        Process bash = new ProcessBuilder("bash", "-c", driver).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, bash.waitFor(), output);
        return output;
    }
}
