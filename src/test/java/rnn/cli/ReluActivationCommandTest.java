package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import rnn.checkpoint.Json;
import rnn.checkpoint.ModelStore;
import rnn.checkpoint.SafetensorsReader;

/**
 * --cell rnn --activation relu: stored in model.json, read back by every command that loads the
 * model, with PyTorch's nn.RNN tensor names; refused for other cells and unknown activations.
 */
class ReluActivationCommandTest {
    @TempDir
    Path temp;

    @Test
    void aReluModelIsStoredAndEveryCommandLoadsIt() throws IOException {
        Path corpus = temp.resolve("rhyme.txt");
        Files.writeString(corpus, "Mary had a little lamb whose fleece was white as snow .\n".repeat(30));
        Path relu = temp.resolve("relu");
        Path tanh = temp.resolve("tanh");
        for (Path model : new Path[] {relu, tanh}) {
            CliRun train = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--cell", "rnn",
                    "--activation", model == relu ? "relu" : "tanh", "--epochs", "8", "--hidden", "24",
                    "--embedding", "16", "--window", "6", "--stride", "1", "--lr", "0.01", "--validation-split", "0",
                    "--quiet");
            assertEquals(0, train.exitCode(), train.err());
        }
        JsonNode manifest = Json.mapper().readTree(Files.readString(relu.resolve(ModelStore.MANIFEST)).lines()
                .filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n"));
        assertTrue(manifest.toString().contains("\"RNN_RELU\""), manifest.toString());
        assertTrue(Files.readString(tanh.resolve(ModelStore.MANIFEST)).contains("\"RNN\""));

        assertTrue(CliRun.of("summary", "-m", relu.toString()).out().contains("simple_rnn (SimpleRNN, relu)"));
        CliRun predict = CliRun.of("predict", "-m", relu.toString(), "Mary had a little");
        assertEquals(0, predict.exitCode(), predict.err());
        assertTrue(predict.out().startsWith("lamb\t"), predict.out());
        String reluScore = CliRun.of("perplexity", "-m", relu.toString(), corpus.toString()).out();
        String tanhScore = CliRun.of("perplexity", "-m", tanh.toString(), corpus.toString()).out();
        assertTrue(reluScore.contains("perplexity: "), reluScore);
        assertTrue(!reluScore.replace(relu.toString(), "").equals(tanhScore.replace(tanh.toString(), "")));
        assertEquals(0, CliRun.of("generate", "-m", relu.toString(), "-n", "5", "--seed", "1").exitCode());

        // The tensors carry nn.RNN's names, whatever the nonlinearity.
        assertEquals(SafetensorsReader.read(tanh.resolve(ModelStore.WEIGHTS)).tensors().keySet(),
                SafetensorsReader.read(relu.resolve(ModelStore.WEIGHTS)).tensors().keySet());
        assertTrue(SafetensorsReader.read(relu.resolve(ModelStore.WEIGHTS)).tensors().containsKey("rnn.weight_hh_l0"));
    }

    @Test
    void reluIsOnlyForTheSimpleRnn() {
        Path corpus = temp.resolve("any.txt");
        CliRun lstm = CliRun.of("train", corpus.toString(), "--cell", "lstm", "--activation", "relu");
        assertEquals(2, lstm.exitCode(), lstm.err());
        assertTrue(lstm.firstErrorLine().contains("--activation relu needs --cell rnn"), lstm.err());
        CliRun sigmoid = CliRun.of("train", corpus.toString(), "--cell", "rnn", "--activation", "sigmoid");
        assertEquals(2, sigmoid.exitCode(), sigmoid.err());
        assertTrue(sigmoid.firstErrorLine().contains("--activation must be tanh or relu, got 'sigmoid'"), sigmoid.err());
    }
}
