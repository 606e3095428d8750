package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;

/** rnn train and rnn predict end to end through the command line, and their exit codes. */
class TrainPredictCommandTest {
    @TempDir
    Path temp;

    @Test
    void trainsAModelThatPredictsTheMemorizedNextWord() throws IOException {
        Path corpus = temp.resolve("rhyme.txt");
        Files.writeString(corpus, "Mary had a little lamb whose fleece was white as snow.\n".repeat(30));
        Path model = temp.resolve("model");
        CliRun train = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--epochs", "12",
                "--hidden", "24", "--embedding", "16", "--window", "6", "--stride", "1", "--lr", "0.02",
                "--validation-split", "0", "--json", "--quiet");
        assertEquals(0, train.exitCode(), train.err());
        assertEquals(12, train.out().lines().count(), "one JSON line per epoch: " + train.out());
        assertTrue(train.out().lines().allMatch(l -> l.startsWith("{\"epoch\":")));
        for (String file : new String[] {ModelStore.MANIFEST, ModelStore.VOCABULARY, ModelStore.WEIGHTS,
                ModelStore.RESUME, ModelStore.HISTORY}) {
            assertTrue(Files.isRegularFile(model.resolve(file)), file + " is saved");
        }

        CliRun predict = CliRun.of("predict", "-m", model.toString(), "Mary had a little");
        assertEquals(0, predict.exitCode(), predict.err());
        assertTrue(predict.out().startsWith("lamb\t"), predict.out());
        assertEquals(5, predict.out().lines().count());

        CliRun unknown = CliRun.of("predict", "-m", model.toString(), "-k", "2", "--json", "zebra had a");
        assertEquals(0, unknown.exitCode());
        assertTrue(unknown.out().startsWith("{\"context\":\"zebra had a\",\"predictions\":[{\"token\":"), unknown.out());
        assertTrue(unknown.err().contains("zebra"), "unknown words are reported on stderr: " + unknown.err());

        CliRun again = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--epochs", "1");
        assertEquals(1, again.exitCode());
        assertTrue(again.firstErrorLine().contains("already holds a model"), again.err());
    }

    @Test
    void severalCorporaTrainAsOneTextAndResume() throws IOException {
        Path first = temp.resolve("first.txt");
        Path second = temp.resolve("second.txt");
        Files.writeString(first, "alpha beta gamma delta\n".repeat(20));
        Files.writeString(second, "epsilon zeta eta theta"); // no final newline: must not merge with the next file
        Path model = temp.resolve("both");
        CliRun train = CliRun.of("train", first.toString(), second.toString(), "-o", model.toString(),
                "--epochs", "1", "--hidden", "8", "--embedding", "4", "--window", "4", "--quiet");
        assertEquals(0, train.exitCode(), train.err());
        var manifest = ManifestFiles.read(model);
        assertEquals(first + " + " + second, manifest.corpus().name());
        assertEquals(20 * 4 + 4, manifest.corpus().tokens());
        CliRun resume = CliRun.of("train", "--resume", model.toString(), "--epochs", "2", "--quiet");
        assertEquals(0, resume.exitCode(), resume.err());

        CliRun missing = CliRun.of("train", first.toString(), temp.resolve("nope.txt").toString(), "-o",
                temp.resolve("m2").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.firstErrorLine().contains("nope.txt"), missing.err());
    }

    @Test
    void badOptionsAreUsageErrors() throws IOException {
        Path corpus = temp.resolve("c.txt");
        Files.writeString(corpus, "a b c d e f g h\n");
        for (String[] args : new String[][] {
                {"train", corpus.toString(), "--epochs", "0"},
                {"train", corpus.toString(), "--dropout", "1.5"},
                {"train", corpus.toString(), "--cell", "transformer"},
                {"train", corpus.toString(), "--optimizer", "lbfgs"},
                {"train", corpus.toString(), "--tied", "--embedding", "8", "--hidden", "16"},
                {"train", corpus.toString(), "--lr", "-1"},
                {"train"},
                {"predict", "--top", "0", "x"}}) {
            CliRun run = CliRun.of(args);
            assertEquals(2, run.exitCode(), String.join(" ", args) + " -> " + run.err());
            assertTrue(run.firstErrorLine().startsWith("rnn "), run.err());
        }
    }

    @Test
    void runtimeFailuresExitOneWithOneLine() {
        CliRun missingCorpus = CliRun.of("train", temp.resolve("missing.txt").toString(), "-o",
                temp.resolve("m").toString());
        assertEquals(1, missingCorpus.exitCode());
        assertTrue(missingCorpus.firstErrorLine().contains("missing.txt"), missingCorpus.err());
        assertEquals(1, missingCorpus.err().lines().count(), missingCorpus.err());

        CliRun missingModel = CliRun.of("predict", "-m", temp.resolve("nothing").toString(), "hello");
        assertEquals(1, missingModel.exitCode());
        assertTrue(missingModel.firstErrorLine().contains("no such model directory"), missingModel.err());

        CliRun resumeMissing = CliRun.of("train", "--resume", temp.resolve("nothing").toString());
        assertEquals(1, resumeMissing.exitCode(), resumeMissing.err());
    }
}
