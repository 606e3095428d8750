package rnn.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a safetensors file holds: its metadata strings and its tensors, both unmodifiable and in
 * the order the file lists them.
 */
public record TensorFile(Map<String, String> metadata, Map<String, INDArray> tensors) {
    public TensorFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
