package rnn.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.ParameterShapes;
import rnn.engine.Parameters;
import rnn.engine.LanguageModel;
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
        ModelManifest manifest = ManifestFiles.read(directory);
        Vocabulary vocabulary = readVocabulary(directory, manifest);
        Path weights = directory.resolve(WEIGHTS);
        TensorFile file = SafetensorsReader.read(weights);
        LanguageModel model = buildModel(weights, manifest, file.tensors());
        return new LoadedModel(directory, manifest, vocabulary, model);
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

    /** Checks names, shapes and dtype of stored tensors against the architecture, then builds the model. */
    static LanguageModel buildModel(Path file, ModelManifest manifest, Map<String, INDArray> tensors) {
        int layers = manifest.architecture().layers();
        if (layers > tensors.size()) {
            // Each layer has 4 tensors: refuse before listing the expected shapes of an absurd layer count.
            throw new CheckpointFormatException(file + ": holds " + tensors.size() + " tensors, but "
                    + MANIFEST + " describes " + layers + " layers of 4 each");
        }
        Map<String, long[]> expected = ParameterShapes.of(manifest.architecture());
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointFormatException(file + ": unexpected tensor '" + name + "'; the model has "
                        + String.join(", ", expected.keySet()));
            }
        }
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> entry : expected.entrySet()) {
            INDArray tensor = tensors.get(entry.getKey());
            if (tensor == null) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' is missing");
            }
            if (!Arrays.equals(tensor.shape(), entry.getValue())) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' has shape "
                        + Arrays.toString(tensor.shape()) + ", the model needs " + Arrays.toString(entry.getValue()));
            }
            if (tensor.dataType() != DataType.FLOAT) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' is "
                        + tensor.dataType() + ", expected F32");
            }
            if (!Parameters.allFinite(tensor)) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey()
                        + "' holds NaN or infinite values; these weights cannot be used");
            }
            values.put(entry.getKey(), tensor);
        }
        return LanguageModel.fromValues(manifest.architecture(), values);
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
