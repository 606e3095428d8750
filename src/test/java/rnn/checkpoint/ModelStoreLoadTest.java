package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.RnnException;
import rnn.engine.CellType;
import rnn.train.TrainConfig;
import rnn.train.TrainConfigBuilder;
import rnn.train.TrainingListener;
import rnn.workflow.Training;

/** Loading a model directory checks every file against model.json and says which file is wrong. */
class ModelStoreLoadTest {
    @TempDir
    static Path shared;
    static Path trained;

    @TempDir
    Path temp;

    @BeforeAll
    static void trainTinyModel() throws IOException {
        Path corpus = shared.resolve("corpus.txt");
        Files.writeString(corpus, "the cat sat on the mat .\na dog ran in the park .\n".repeat(10));
        trained = shared.resolve("model");
        TrainConfig config = TrainConfigBuilder.tiny(corpus, trained).cell(CellType.GRU).hidden(6).build();
        Training.start(config, false, new TrainingListener() { }, () -> false);
    }

    @Test
    void aTrainedDirectoryLoads() {
        ModelStore.LoadedModel loaded = ModelStore.load(trained);
        assertEquals(loaded.vocabulary().size(), loaded.model().config().vocabSize());
        assertEquals(1, loaded.manifest().progress().epochsCompleted());
    }

    @Test
    void missingDirectoryOrFilesAreNamed() throws IOException {
        assertMessage(temp.resolve("absent"), "absent: no such model directory");
        for (String file : new String[] {ModelStore.MANIFEST, ModelStore.VOCABULARY, ModelStore.WEIGHTS}) {
            Path copy = copy("without-" + file);
            Files.delete(copy.resolve(file));
            assertMessage(copy, file);
        }
    }

    @Test
    void aFutureFormatIsRefused() throws IOException {
        Path copy = copy("future");
        Path manifest = copy.resolve(ModelStore.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"format\" : 2", "\"format\" : 99"));
        assertMessage(copy, "format 99 is newer");
    }

    @Test
    void aVocabularyOfAnotherSizeIsRefused() throws IOException {
        Path copy = copy("vocab");
        Path otherCorpus = temp.resolve("other.txt");
        Files.writeString(otherCorpus, "just three words\n");
        Path vocabulary = copy.resolve(ModelStore.VOCABULARY);
        rnn.text.Corpus.read(rnn.text.TextSource.of(otherCorpus), rnn.text.TokenizerSpec.WORD.tokenizer(),
                rnn.text.VocabularyLimits.NONE).vocabulary().save(vocabulary);
        assertMessage(copy, ModelStore.VOCABULARY);
    }

    @Test
    void weightsThatDoNotMatchTheArchitectureAreRefused() throws IOException {
        Path copy = copy("shapes");
        Path weights = copy.resolve(ModelStore.WEIGHTS);
        Map<String, INDArray> tensors = new LinkedHashMap<>(SafetensorsReader.read(weights).tensors());
        INDArray bias = tensors.get("decoder.bias");
        tensors.put("decoder.bias", Nd4j.zeros(DataType.FLOAT, bias.length() + 1));
        SafetensorsWriter.write(weights, tensors, Map.of());
        assertMessage(copy, "'decoder.bias' has shape");

        tensors.remove("decoder.bias");
        SafetensorsWriter.write(weights, tensors, Map.of());
        assertMessage(copy, "'decoder.bias' is missing");

        tensors.put("decoder.bias", bias.castTo(DataType.DOUBLE));
        SafetensorsWriter.write(weights, tensors, Map.of());
        assertMessage(copy, "expected F32");
    }

    @Test
    void aFlippedWeightByteIsDetected() throws IOException {
        Path copy = copy("flipped");
        Path weights = copy.resolve(ModelStore.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(weights, bytes);
        assertMessage(copy, ModelStore.WEIGHTS);
    }

    /** Each byte of model.json with one bit flipped: refused, or (a flip in the digest's own key) read as written. */
    @Test
    void aFlippedBitInModelJsonIsDetected() throws IOException {
        Path copy = copy("flipped-manifest");
        Path manifest = copy.resolve(ModelStore.MANIFEST);
        byte[] valid = Files.readAllBytes(manifest);
        ModelManifest expected = ManifestFiles.read(copy);
        java.util.Random random = new java.util.Random(7);
        int accepted = 0;
        for (int at = 0; at < valid.length; at++) {
            byte[] flipped = valid.clone();
            flipped[at] ^= (byte) (1 << random.nextInt(8));
            Files.write(manifest, flipped);
            try {
                assertEquals(expected, ManifestFiles.read(copy), "a flip at byte " + at + " changed what was read");
                accepted++;
            } catch (CheckpointFormatException detected) {
                assertEquals(1, detected.getMessage().lines().count(), detected.getMessage());
            }
        }
        assertTrue(accepted < 20, accepted + " harmless flips");
    }

    private void assertMessage(Path directory, String expected) {
        RnnException error = assertThrows(RnnException.class, () -> ModelStore.load(directory));
        assertTrue(error.getMessage().contains(expected), "'" + error.getMessage() + "' should mention " + expected);
        assertEquals(1, error.getMessage().lines().count(), "one line: " + error.getMessage());
    }

    private Path copy(String name) throws IOException {
        Path copy = temp.resolve(name);
        Files.createDirectories(copy);
        for (String file : new String[] {ModelStore.MANIFEST, ModelStore.VOCABULARY, ModelStore.WEIGHTS}) {
            Files.copy(trained.resolve(file), copy.resolve(file));
        }
        return copy;
    }
}
