package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.workflow.Predictor;
import rnn.workflow.TestModels;

/**
 * model.json format 2: a format version, snake_case names (as every --json output), and only the
 * data, network and optimization settings; and model directories written before it (format 1,
 * camelCase, one flat "training" object; a copy is in src/test/resources/legacy-v1) still load
 * and predict exactly as they did.
 */
class ManifestFormatTest {
    private static final List<String> LEGACY_FILES = List.of("model.json", "vocab.json", "model.safetensors",
            "last.safetensors", "history.json");

    @TempDir
    Path temp;

    @Test
    void modelAndHistoryFilesUseSnakeCaseNamesAndAFormatVersion() throws IOException {
        Path model = TestModels.train(temp.resolve("m"), TestModels.Spec.windows().withEpochs(1), TestModels.RHYMES, 2);
        JsonNode manifest = Json.mapper().readTree(model.resolve(ModelStore.MANIFEST).toFile());
        assertEquals(2, manifest.get("format").asInt());
        assertEquals(List.of("sha256", "format", "data", "network", "optimization", "vocabulary", "corpus", "progress",
                "provenance", "sessions"), names(manifest));
        assertFalse(manifest.has("run") || manifest.has("training"), "run options are not part of the model");
        assertNoCamelCase(manifest, "model.json");
        assertTrue(manifest.get("progress").has("epochs_completed"));
        JsonNode history = Json.mapper().readTree(model.resolve(ModelStore.HISTORY).toFile());
        assertNoCamelCase(history, "history.json");
        assertTrue(history.get(0).has("train_loss"), history.toString());
    }

    @Test
    void aFormatOneModelDirectoryStillLoadsAndPredictsAsBefore() throws IOException {
        Path legacy = copyLegacy();
        ModelManifest manifest = ManifestFiles.read(legacy);
        assertEquals(ModelManifest.FORMAT, manifest.format(), "read into the current form");
        assertEquals(List.of("legacy.txt"), manifest.data().corpora());
        assertEquals(5, manifest.data().window());
        assertEquals(Objective.ALL, manifest.data().objective());
        assertEquals(0.1, manifest.data().validationSplit());
        assertEquals(CellType.LSTM, manifest.network().cell());
        assertEquals(8, manifest.network().hidden());
        assertEquals(6, manifest.network().embedding());
        assertEquals(0.003, manifest.optimization().lr());
        assertEquals(3, manifest.optimization().patience());
        assertEquals(2, manifest.progress().epochsCompleted());
        assertEquals(315, manifest.corpus().trainTokens());
        assertEquals(165, manifest.architecture().vocabSize());
        assertTrue(manifest.sessions().isEmpty());

        // The ranking rnn predict gave with the rnn that wrote the directory (see the README there).
        List<String[]> expected = Files.readAllLines(resource("predict-mary.tsv")).stream()
                .map(line -> line.split("\t")).toList();
        Predictor.Ranking ranking = Predictor.open(legacy).rank("Mary had a little", 3);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], ranking.candidates().get(i).token());
            assertEquals(Double.parseDouble(expected.get(i)[1]), ranking.candidates().get(i).probability(), 5e-7);
        }
    }

    private Path copyLegacy() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("legacy-model"));
        for (String file : LEGACY_FILES) {
            try (InputStream in = getClass().getResourceAsStream("/legacy-v1/" + file)) {
                Files.copy(in, directory.resolve(file));
            }
        }
        return directory;
    }

    private Path resource(String name) throws IOException {
        Path file = temp.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/legacy-v1/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertNoCamelCase(JsonNode node, String where) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                assertTrue(field.getKey().equals(field.getKey().toLowerCase(java.util.Locale.ROOT)),
                        where + ": '" + field.getKey() + "' is not snake_case");
                assertNoCamelCase(field.getValue(), where);
            }
        } else if (node.isArray()) {
            node.forEach(element -> assertNoCamelCase(element, where));
        }
    }
}
