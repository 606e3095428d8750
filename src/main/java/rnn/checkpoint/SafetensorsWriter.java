package rnn.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes FLOAT and DOUBLE INDArrays as a safetensors file that PyTorch's
 * {@code safetensors.torch.load_file} reads: each tensor in its own dtype (F32 / F64), row-major,
 * little-endian, packed in the map's iteration order (use a LinkedHashMap), with the JSON header
 * padded by spaces to a multiple of 8 bytes so the data is aligned.
 *
 * <p>The metadata gains {@value SafetensorsHeader#SHA256_KEY}, the hex SHA-256 of the data
 * section, and {@value SafetensorsHeader#HEADER_SHA256_KEY}, that of the header itself, which
 * {@link SafetensorsReader} verifies; values the caller passes under those keys are replaced. The file is written with {@link AtomicFiles}, so a failed save leaves the old file.
 */
public final class SafetensorsWriter {
    private static final int CHUNK_BYTES = 1 << 16;
    private static final int HEADER_ALIGNMENT = 8;

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} and {@code metadata} to {@code file}, replacing it atomically.
     *
     * @throws IllegalArgumentException if a tensor is neither FLOAT nor DOUBLE, or a name is empty
     *                                  or {@value SafetensorsHeader#METADATA_KEY}
     * @throws rnn.RnnException         if the file cannot be written
     */
    public static void write(Path file, Map<String, ? extends INDArray> tensors, Map<String, String> metadata) {
        List<PackedTensor> packed = new ArrayList<>(tensors.size());
        for (Map.Entry<String, ? extends INDArray> entry : tensors.entrySet()) {
            packed.add(PackedTensor.of(entry.getKey(), entry.getValue()));
        }

        MessageDigest digest = Sha256.newDigest();
        for (PackedTensor tensor : packed) {
            tensor.encode(digest::update);
        }
        Map<String, String> fullMetadata = new LinkedHashMap<>();
        metadata.forEach((key, value) -> fullMetadata.put(Objects.requireNonNull(key, "metadata key"),
                Objects.requireNonNull(value, () -> "metadata value of " + key)));
        fullMetadata.remove(SafetensorsHeader.SHA256_KEY);
        fullMetadata.remove(SafetensorsHeader.HEADER_SHA256_KEY);
        fullMetadata.put(SafetensorsHeader.SHA256_KEY, Sha256.hex(digest.digest()));
        fullMetadata.put(SafetensorsHeader.HEADER_SHA256_KEY, SafetensorsHeader.DIGEST_PLACEHOLDER);
        byte[] header = headerBytes(fullMetadata, packed);
        String headerDigest = Sha256.hex(Sha256.newDigest().digest(header));
        if (!SafetensorsHeader.replaceDigestField(header, SafetensorsHeader.DIGEST_PLACEHOLDER, headerDigest)) {
            throw new IllegalStateException("the header digest field was not written as expected");
        }

        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (PackedTensor tensor : packed) {
                tensor.encode(out::write);
            }
        });
    }

    /** The JSON header, space-padded to a multiple of 8 bytes. */
    private static byte[] headerBytes(Map<String, String> metadata, List<PackedTensor> packed) {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode metadataNode = root.putObject(SafetensorsHeader.METADATA_KEY);
        metadata.forEach(metadataNode::put);
        long offset = 0;
        for (PackedTensor tensor : packed) {
            ObjectNode entry = root.putObject(tensor.name);
            entry.put("dtype", tensor.dtype.name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(tensor.shape).forEach(shape::add);
            long end = offset + tensor.byteLength();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = Json.mapper().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a safetensors header", e);
        }
        int padded = (json.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /** Where encoded bytes go: the digest on the first pass, the file on the second. */
    @FunctionalInterface
    private interface ByteSink<E extends Exception> {
        void accept(byte[] bytes, int offset, int length) throws E;
    }

    /**
     * A tensor in C order, encoded twice (digest, then file) straight from ND4J's off-heap buffer:
     * a copy on the Java heap would add the whole model to the peak memory of every save (235 MB
     * for a 250,000-word adaptive model). Saves run on the thread that owns the arrays, so the two
     * passes read the same values.
     */
    private static final class PackedTensor {
        final String name;
        final TensorDtype dtype;
        final long[] shape;
        /** The array itself when its buffer is exactly its elements in C order, else a C-order copy. */
        final INDArray dense;
        final int count;

        private PackedTensor(String name, TensorDtype dtype, long[] shape, INDArray dense, int count) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.dense = dense;
            this.count = count;
        }

        static PackedTensor of(String name, INDArray array) {
            Objects.requireNonNull(name, "tensor name");
            Objects.requireNonNull(array, () -> "tensor " + name);
            if (name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("invalid tensor name '" + name + "'");
            }
            DataType type = array.dataType();
            if (type != DataType.FLOAT && type != DataType.DOUBLE) {
                throw new IllegalArgumentException("tensor '" + name + "' is " + type + "; only FLOAT and DOUBLE are written");
            }
            long[] shape = array.shape().clone();
            int count = Math.toIntExact(array.length());
            INDArray dense = count == 0 || isPackedCOrder(array) ? array : array.dup('c');
            return new PackedTensor(name, type == DataType.FLOAT ? TensorDtype.F32 : TensorDtype.F64, shape, dense, count);
        }

        /**
         * True when the array's buffer holds exactly its elements in row-major order, so the buffer
         * can be copied out as is. Views (rows, columns, slices) share a larger buffer and fail this.
         */
        private static boolean isPackedCOrder(INDArray array) {
            if (array.isView() || array.ordering() != 'c' || array.data() == null
                    || array.data().length() != array.length()) {
                return false;
            }
            long[] shape = array.shape();
            long[] stride = array.stride();
            long expected = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                // Strides of size-1 dimensions never matter and ND4J sets them freely.
                if (shape[i] != 1 && stride[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
            return true;
        }

        long byteLength() {
            return (long) count * dtype.byteSize();
        }

        /** Feeds the little-endian bytes of the values to {@code sink}, one chunk at a time. */
        <E extends Exception> void encode(ByteSink<E> sink) throws E {
            if (count == 0) {
                return;
            }
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            int perChunk = CHUNK_BYTES / dtype.byteSize();
            FloatBuffer floats = dtype == TensorDtype.F32 ? dense.data().asNioFloat() : null;
            DoubleBuffer doubles = floats == null ? dense.data().asNioDouble() : null;
            for (int done = 0; done < count; done += perChunk) {
                int n = Math.min(perChunk, count - done);
                chunk.clear();
                if (floats != null) {
                    chunk.asFloatBuffer().put(floats.slice(done, n));
                } else {
                    chunk.asDoubleBuffer().put(doubles.slice(done, n));
                }
                sink.accept(chunk.array(), 0, n * dtype.byteSize());
            }
        }
    }
}
