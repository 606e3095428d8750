package rnn.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.LanguageModel;
import rnn.engine.ModelConfig;
import rnn.engine.ParameterShapes;
import rnn.text.TokenCache;
import rnn.text.Vocabulary;

/**
 * A model directory: model.json (architecture, settings, provenance), vocab.json, model.safetensors
 * (the weights to use: best validation loss so far), last.safetensors (latest weights plus optimizer
 * and progress, for --resume), history.json and loss.png. Every file is replaced atomically, so a
 * killed run leaves each file either old or new, never torn. The description files are read and
 * written by {@link ManifestFiles}, a run holds the directory through {@link DirectoryLock}, and
 * {@link LatestModel} records which model was trained last.
 */
public final class ModelStore {
    public static final String MANIFEST = "model.json";
    public static final String VOCABULARY = "vocab.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String RESUME = "last.safetensors";
    public static final String HISTORY = "history.json";
    public static final String PLOT = "loss.png";
    static final String LOCK = ".lock";
    /** The encoded training text, reused by the next run on the same text; not part of the model. */
    static final String TOKEN_CACHE = TokenCache.FILE_NAME;
    /** Every file a run writes into a model directory; --force replaces these and nothing else. */
    static final Set<String> RUN_FILES = Set.of(MANIFEST, VOCABULARY, WEIGHTS, RESUME, HISTORY, PLOT, LOCK, TOKEN_CACHE);

    private ModelStore() {
    }

    /** A trained model ready to use. */
    public record LoadedModel(Path directory, ModelManifest manifest, Vocabulary vocabulary, LanguageModel model) {
    }

    /** Reads and cross-checks model.json, vocab.json and model.safetensors. */
    public static LoadedModel load(Path directory) {
        StoredModel stored = StoredModel.read(directory);
        return new LoadedModel(directory, stored.manifest(), stored.vocabulary(),
                build(stored.manifest().architecture(), stored.weights()));
    }

    /** The engine's model over weights {@link StoredModel} read and checked (copied into ND4J arrays). */
    public static LanguageModel build(ModelConfig config, Map<String, float[]> weights) {
        Map<String, long[]> shapes = ParameterShapes.of(config);
        Map<String, INDArray> values = new LinkedHashMap<>();
        weights.forEach((name, floats) -> values.put(name, Nd4j.create(floats, shapes.get(name), 'c')));
        return LanguageModel.fromValues(config, values);
    }

    /** The SHA-256 of the directory's model.safetensors file, to name exactly which weights a fine-tuned model started from. */
    public static String weightsSha256(Path directory) {
        Path file = directory.resolve(WEIGHTS);
        MessageDigest digest = Sha256.newDigest();
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new CheckpointFormatException(file + ": cannot read: " + e.getMessage());
        }
        return Sha256.hex(digest.digest());
    }

    /** Reads vocab.json and checks it is the vocabulary model.json was trained with (size and SHA-256). */
    public static Vocabulary readVocabulary(Path directory, ModelManifest manifest) {
        Path file = directory.resolve(VOCABULARY);
        Vocabulary vocabulary = Vocabulary.load(file);
        if (vocabulary.size() != manifest.architecture().vocabSize()) {
            throw new CheckpointFormatException(file + ": " + vocabulary.size() + " tokens, but the model has "
                    + manifest.architecture().vocabSize());
        }
        String expected = manifest.vocabulary().sha256();
        if (expected != null && !expected.equals(vocabulary.fingerprint())) {
            throw new CheckpointFormatException(file + ": does not match the vocabulary the model was trained with");
        }
        return vocabulary;
    }

    /** Checks names, shapes and dtype of stored tensors against the architecture (as {@link StoredModel}), then builds the model. */
    static LanguageModel buildModel(Path file, ModelManifest manifest, Map<String, INDArray> tensors) {
        Map<String, SafetensorsReader.HostTensor> host = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> host.put(name, new SafetensorsReader.HostTensor(tensor.shape(),
                tensor.dataType() == DataType.FLOAT ? tensor.dup('c').data().asFloat() : null,
                tensor.dataType() == DataType.FLOAT ? null : tensor.dup('c').data().asDouble())));
        return build(manifest.architecture(), StoredModel.checkedWeights(file, manifest, host));
    }

    public static void writeVocabulary(Path directory, Vocabulary vocabulary) {
        AtomicFiles.write(directory.resolve(VOCABULARY), vocabulary::write);
    }

    /** Writes the model's weights (PyTorch names; loadable with safetensors.torch.load_file). */
    public static void writeWeights(Path file, LanguageModel model, Map<String, String> metadata) {
        SafetensorsWriter.write(file, model.parameters().values(), metadata);
    }

    static void requireDirectory(Path directory) {
        if (!Files.exists(directory)) {
            throw new CheckpointFormatException(directory + ": no such model directory");
        }
        if (!Files.isDirectory(directory)) {
            throw new CheckpointFormatException(directory + ": not a directory");
        }
    }
}
