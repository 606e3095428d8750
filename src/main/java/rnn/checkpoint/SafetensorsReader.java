package rnn.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import rnn.RnnException;

/**
 * Reads safetensors files (F32 and F64 tensors) into C-order INDArrays of the stored dtype and
 * shape.
 *
 * <p>The header is fully validated first ({@link SafetensorsHeader}); only then is memory
 * allocated, and never more than the file really holds. If the metadata carries
 * {@value SafetensorsHeader#SHA256_KEY}, the data section is hashed while it is read and a
 * mismatch is refused, so corrupt weights are never used. Files without the digest (written by
 * other tools) are read without that check.
 */
public final class SafetensorsReader {
    /** Bytes read per system call and per digest update. */
    private static final int CHUNK_BYTES = 1 << 20;

    private SafetensorsReader() {
    }

    /** Reads every tensor and the metadata of {@code file}. */
    public static TensorFile read(Path file) {
        return read(file, Long.MAX_VALUE);
    }

    /**
     * As {@link #read(Path)}, but refuses a file whose data section exceeds {@code maxDataBytes}
     * before reading it.
     */
    public static TensorFile read(Path file, long maxDataBytes) {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        Map<String, String> metadata = readHost(file, maxDataBytes, host);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        host.forEach((name, tensor) -> tensors.put(name, toArray(tensor)));
        return new TensorFile(metadata, tensors);
    }

    /**
     * A tensor as stored, on the Java heap: its shape and its values, {@code floats} for F32 and
     * {@code doubles} for F64 (the other null). What {@link #readHost} gives, without ND4J.
     */
    public record HostTensor(long[] shape, float[] floats, double[] doubles) {
    }

    /**
     * Every tensor of {@code file} as Java arrays, in the order the file lists them, checked as
     * {@link #read(Path)} checks them (header, size, checksum); returns the metadata. Touches no
     * ND4J class, so a command that computes in plain Java never starts the native backend.
     */
    public static Map<String, String> readHost(Path file, Map<String, HostTensor> tensors) {
        return readHost(file, Long.MAX_VALUE, tensors);
    }

    private static Map<String, String> readHost(Path file, long maxDataBytes, Map<String, HostTensor> tensors) {
        AtomicFiles.requireRegularFileIfPresent(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader header = SafetensorsHeader.read(file, channel, maxDataBytes);
            Map<String, Object> valuesByName = readValues(file, channel, header);
            for (TensorInfo info : header.tensors()) {
                Object values = valuesByName.remove(info.name());
                tensors.put(info.name(), new HostTensor(info.shape(), values instanceof float[] f ? f : null,
                        values instanceof double[] d ? d : null));
            }
            return header.metadata();
        } catch (IOException e) {
            throw new RnnException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

    /** Reads each tensor into a float[] or double[], hashing the data section on the way. */
    private static Map<String, Object> readValues(Path file, FileChannel channel, SafetensorsHeader header)
            throws IOException {
        for (TensorInfo info : header.tensors()) {
            if (info.elementCount() > Integer.MAX_VALUE - 8) {
                throw SafetensorsHeader.formatError(file, "tensor " + SafetensorsHeader.quote(info.name()) + " has "
                        + info.elementCount() + " elements, more than one Java array can hold");
            }
        }
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Object> valuesByName = new HashMap<>();
        // File order: the tensors tile the data section, so this hashes it front to back.
        for (TensorInfo info : header.tensorsInFileOrder()) {
            int count = (int) info.elementCount();
            int elementBytes = info.dtype().byteSize();
            int perChunk = CHUNK_BYTES / elementBytes;
            float[] floats = info.dtype() == TensorDtype.F32 ? new float[count] : null;
            double[] doubles = info.dtype() == TensorDtype.F64 ? new double[count] : null;
            long position = header.dataStart() + info.begin();
            for (int done = 0; done < count; ) {
                int n = Math.min(perChunk, count - done);
                chunk.clear().limit(n * elementBytes);
                SafetensorsHeader.readFully(file, channel, chunk, position);
                digest.update(chunk.array(), 0, n * elementBytes);
                chunk.flip();
                if (floats != null) {
                    chunk.asFloatBuffer().get(floats, done, n);
                } else {
                    chunk.asDoubleBuffer().get(doubles, done, n);
                }
                done += n;
                position += (long) n * elementBytes;
            }
            valuesByName.put(info.name(), floats != null ? floats : doubles);
        }
        String expected = header.metadata().get(SafetensorsHeader.SHA256_KEY);
        String actual = Sha256.hex(digest.digest());
        if (expected != null && !expected.equalsIgnoreCase(actual)) {
            throw SafetensorsHeader.formatError(file, "data checksum mismatch, the file is corrupt (header "
                    + SafetensorsHeader.SHA256_KEY + " " + expected.substring(0, 12) + "..., data hashes to "
                    + actual.substring(0, 12) + "...)");
        }
        return valuesByName;
    }

    private static INDArray toArray(HostTensor tensor) {
        if (tensor.floats() != null) {
            return Nd4j.create(tensor.floats(), tensor.shape(), 'c');
        }
        return Nd4j.create(tensor.doubles(), tensor.shape(), 'c');
    }
}
