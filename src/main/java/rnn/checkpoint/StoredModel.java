package rnn.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import rnn.engine.ParameterShapes;
import rnn.text.Vocabulary;

/**
 * A model directory read and cross-checked, on the Java heap and without ND4J: model.json,
 * vocab.json and the weights of model.safetensors as float arrays in {@link ParameterShapes}'
 * order, each checked against the architecture (name, shape, F32, finite). {@link ModelStore#load}
 * builds the engine's model from it; a plain-Java forward pass reads the arrays as they are
 * (nothing may modify them).
 */
public record StoredModel(Path directory, ModelManifest manifest, Vocabulary vocabulary, Map<String, float[]> weights) {
    public StoredModel {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** Reads and cross-checks model.json, vocab.json and model.safetensors. */
    public static StoredModel read(Path directory) {
        ModelManifest manifest = ManifestFiles.read(directory);
        Vocabulary vocabulary = ModelStore.readVocabulary(directory, manifest);
        Path file = directory.resolve(ModelStore.WEIGHTS);
        Map<String, SafetensorsReader.HostTensor> tensors = new LinkedHashMap<>();
        SafetensorsReader.readHost(file, tensors);
        return new StoredModel(directory, manifest, vocabulary, checkedWeights(file, manifest, tensors));
    }

    /** Checks names, shapes, dtype and values of stored tensors against the architecture; the weights in its order. */
    static Map<String, float[]> checkedWeights(Path file, ModelManifest manifest,
                                               Map<String, SafetensorsReader.HostTensor> tensors) {
        int layers = manifest.architecture().layers();
        if (layers > tensors.size()) {
            // Each layer has 4 tensors: refuse before listing the expected shapes of an absurd layer count.
            throw new CheckpointFormatException(file + ": holds " + tensors.size() + " tensors, but "
                    + ModelStore.MANIFEST + " describes " + layers + " layers of 4 each");
        }
        Map<String, long[]> expected = ParameterShapes.of(manifest.architecture());
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointFormatException(file + ": unexpected tensor '" + name + "'; the model has "
                        + String.join(", ", expected.keySet()));
            }
        }
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> entry : expected.entrySet()) {
            SafetensorsReader.HostTensor tensor = tensors.get(entry.getKey());
            if (tensor == null) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' is missing");
            }
            if (!Arrays.equals(tensor.shape(), entry.getValue())) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' has shape "
                        + Arrays.toString(tensor.shape()) + ", the model needs " + Arrays.toString(entry.getValue()));
            }
            if (tensor.floats() == null) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' is DOUBLE, expected F32");
            }
            if (!allFinite(tensor.floats())) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey()
                        + "' holds NaN or infinite values; these weights cannot be used");
            }
            weights.put(entry.getKey(), tensor.floats());
        }
        return weights;
    }

    /** Exact: 0 * x is 0 for every finite x and NaN for NaN and both infinities. */
    private static boolean allFinite(float[] values) {
        float zeroOrNaN = 0f;
        for (float v : values) {
            zeroOrNaN += 0f * v;
        }
        return zeroOrNaN == 0f;
    }
}
