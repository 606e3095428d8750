package rnn.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import picocli.CommandLine;
import rnn.checkpoint.DirectoryCheckpointer;
import rnn.checkpoint.ManifestFiles;
import rnn.cli.ClusterMain;
import rnn.cli.Main;
import rnn.train.EpochResult;

/**
 * Training on Spark's local mode (two workers as threads of this JVM) through the cluster's
 * command line, against single-machine training through rnn's.
 */
class ClusterTrainingTest {
    private static final List<String> SMALL = List.of("--hidden", "16", "--embedding", "8", "--window", "5", "-q");

    @TempDir
    Path temp;

    /**
     * Two workers of B streams each, K = 1, plain SGD without dropout or clipping, are one
     * machine with 2B streams: the shards are the two halves of the text, so the workers' streams
     * are the single machine's, and the mean of their SGD steps is the step on the mean gradient.
     */
    @ParameterizedTest(name = "--softmax {0}")
    @ValueSource(strings = {"full", "adaptive"})
    void twoWorkersWithOneStepPerRoundEqualOneMachineWithTheDoubledBatch(String softmax) throws IOException {
        Path corpus = text("corpus.txt", 250, 8, 11); // 2,000 tokens: 2 shards of 4 streams of 250
        Path valid = text("valid.txt", 30, 8, 12);
        List<String> common = List.of("--valid", valid.toString(), "--stateful", "--optimizer", "sgd", "--lr", "1",
                "--dropout", "0", "--clip", "0", "--epochs", "2", "--max-batches", "12", "--seed", "5",
                "--softmax", softmax);
        Path single = temp.resolve("single-" + softmax);
        Path cluster = temp.resolve("cluster-" + softmax);
        assertEquals(0, rnn(args("train", corpus.toString(), "-o", single.toString(), "--batch-size", "8", common)));
        assertEquals(0, rnnSpark(args("train", corpus.toString(), "-o", cluster.toString(), "--batch-size", "4",
                "--workers", "2", "--sync-every", "1", "--master", "local[2]", common)));

        Map<String, INDArray> expected = finalWeights(single);
        Map<String, INDArray> actual = finalWeights(cluster);
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, value) -> {
            double difference = value.sub(actual.get(name)).norm2Number().doubleValue();
            double relative = difference / value.norm2Number().doubleValue();
            assertTrue(relative < 1e-5, name + ": relative difference " + relative);
        });
        assertEquals(softmax, ManifestFiles.read(cluster).network().softmax());
        assertEquals(ManifestFiles.read(single).network(), ManifestFiles.read(cluster).network());
        // 24 steps moved the weights: equal weights are not just the untouched initial ones.
        assertEquals(24, ManifestFiles.read(cluster).progress().steps());
    }

    /** K > 1 (local SGD with Adam) learns, and the directory is a model rnn predict uses and rnn train resumes. */
    @Test
    void localSgdLearnsAndSavesAModelDirectory() throws IOException {
        Path corpus = Path.of("corpora/sample.txt");
        Path out = temp.resolve("local-sgd");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int code = run(ClusterMain.commandLine(), stdout, stderr, args("train", corpus.toString(),
                "-o", out.toString(), "--validation-split", "0.1", "--optimizer", "adam", "--lr", "0.01",
                "--epochs", "3", "--batch-size", "16", "--workers", "2", "--sync-every", "4", "--master", "local[2]",
                "--json", List.of()));
        assertEquals(0, code, stderr.toString());
        List<EpochResult> history = ManifestFiles.read(out).progress().history();
        assertEquals(3, history.size());
        assertTrue(history.get(2).validationLoss() < history.get(0).validationLoss() - 0.1,
                "validation loss falls: " + history);
        assertEquals(3, stdout.toString().lines().filter(line -> line.startsWith("{\"epoch\":")).count());
        for (String file : List.of("model.json", "vocab.json", "model.safetensors", "last.safetensors",
                "history.json", "loss.png")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }

        StringWriter predicted = new StringWriter();
        StringWriter predictErr = new StringWriter();
        assertEquals(0, run(Main.commandLine(), predicted, predictErr, "predict", "-m", out.toString(), "-k", "3",
                "Mary had a little"), predictErr.toString());
        assertEquals(3, predicted.toString().lines().count(), predicted.toString());

        // One machine continues the cluster's run.
        assertEquals(0, rnn("train", "--resume", out.toString(), "--epochs", "4", "-q"));
        assertEquals(4, ManifestFiles.read(out).progress().history().size());
    }

    private static Map<String, INDArray> finalWeights(Path directory) {
        return DirectoryCheckpointer.readResume(directory, ManifestFiles.read(directory))
                .model().parameters().values();
    }

    /** Lines of {@code words} random words from a small vocabulary: no punctuation, so one token a word. */
    private Path text(String name, int lines, int words, long seed) throws IOException {
        String[] vocabulary = {"the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "and", "home"};
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int line = 0; line < lines; line++) {
            List<String> tokens = new ArrayList<>();
            for (int w = 0; w < words; w++) {
                tokens.add(vocabulary[random.nextInt(vocabulary.length)]);
            }
            text.append(String.join(" ", tokens)).append('\n');
        }
        return Files.writeString(temp.resolve(name), text);
    }

    static int rnn(String... args) {
        return run(Main.commandLine(), new StringWriter(), new StringWriter(), args);
    }

    static int rnnSpark(String... args) {
        StringWriter err = new StringWriter();
        int code = run(ClusterMain.commandLine(), new StringWriter(), err, args);
        if (code != 0) {
            System.err.println(err);
        }
        return code;
    }

    static int run(CommandLine commandLine, StringWriter out, StringWriter err, String... args) {
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        commandLine.getOut().flush();
        commandLine.getErr().flush();
        return code;
    }

    /** The command and its arguments, then the small model's options and {@code more}. */
    private static String[] args(Object... parts) {
        List<String> all = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof List<?> list) {
                list.forEach(item -> all.add((String) item));
            } else {
                all.add((String) part);
            }
        }
        all.addAll(SMALL);
        return all.toArray(new String[0]);
    }
}
