package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import rnn.checkpoint.Json;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.train.NetworkConfig;

/**
 * --dropout-kind, --dropoute and --wdrop: stored in model.json, shown by rnn summary, kept by
 * --resume; a model.json from before them reads as standard dropout with neither.
 */
class RegularisersCommandTest {
    @TempDir
    Path temp;

    @Test
    void storedShownAndKeptByResume() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), "the cat sat on the mat .\n".repeat(20));
        Path model = temp.resolve("m");
        CliRun train = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--hidden", "8", "--embedding", "8",
                "--tied", "--epochs", "1", "--window", "4", "--optimizer", "sgd", "--lr", "0.5", "--dropout", "0.2",
                "--dropout-kind", "locked", "--dropoute", "0.1", "--wdrop", "0.3", "--quiet");
        assertEquals(0, train.exitCode(), train.err());
        assertRegularisers(model);

        CliRun resume = CliRun.of("train", "--resume", model.toString(), "--epochs", "2", "--quiet");
        assertEquals(0, resume.exitCode(), resume.err());
        assertEquals(2, ManifestFiles.read(model).progress().epochsCompleted());
        assertRegularisers(model);

        CliRun changed = CliRun.of("train", "--resume", model.toString(), "--epochs", "3", "--wdrop", "0.5");
        assertEquals(2, changed.exitCode(), changed.err());
        assertTrue(changed.firstErrorLine().contains("so it refuses --wdrop;"), changed.err());
    }

    private static void assertRegularisers(Path model) throws IOException {
        JsonNode network = Json.mapper().readTree(model.resolve(ModelStore.MANIFEST).toFile()).get("network");
        assertEquals("locked", network.get("dropout_kind").asText(), network.toString());
        assertEquals(0.1, network.get("dropoute").asDouble(), network.toString());
        assertEquals(0.3, network.get("wdrop").asDouble(), network.toString());
        CliRun summary = CliRun.of("summary", "-m", model.toString());
        assertEquals(0, summary.exitCode(), summary.err());
        String out = summary.out();
        assertTrue(out.contains("(Embedding, dropoute 0.1)"), out);
        assertTrue(out.contains("(LockedDropout 0.2)"), out);
        assertTrue(out.contains("(LSTM, wdrop 0.3)"), out);
        assertTrue(!out.contains("(Dropout "), out);
    }

    /** The network object of a model.json written before the regularisers existed. */
    @Test
    void aNetworkWithoutTheFieldsReadsAsStandardDropoutOnly() throws IOException {
        ObjectNode network = (ObjectNode) Json.mapper().readTree(Json.snakeCase().writeValueAsString(
                new NetworkConfig(rnn.engine.CellType.LSTM, 1, 8, 8, 0.2, true, "uniform", 0.1, 0)));
        assertTrue(network.has("dropout_kind") && network.has("dropoute") && network.has("wdrop"), network.toString());
        network.remove("dropout_kind");
        network.remove("dropoute");
        network.remove("wdrop");
        NetworkConfig old = Json.snakeCase().treeToValue(network, NetworkConfig.class);
        assertEquals(NetworkConfig.STANDARD, old.dropoutKind());
        assertEquals(0, old.dropoute());
        assertEquals(0, old.wdrop());
        assertTrue(!old.architecture(10).lockedDropout());
    }
}
