package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void headerLayoutMatchesTheSpecByteForByte() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("x", Nd4j.createFromArray(1.0f, -2.0f));
        SafetensorsWriter.write(file, tensors, Map.of());

        byte[] data = {0x00, 0x00, (byte) 0x80, 0x3f, 0x00, 0x00, 0x00, (byte) 0xc0};
        // The header digest is the SHA-256 of the padded header with its own value written as 64 zeros.
        String template = "{\"__metadata__\":{\"rnn.sha256\":\"" + HandBuiltFiles.sha256Hex(data) + "\","
                + "\"rnn.header.sha256\":\"%s\"},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        String zeros = String.format(template, "0".repeat(64));
        int paddedLength = (zeros.length() + 7) / 8 * 8;
        String headerDigest = HandBuiltFiles.sha256Hex((zeros + " ".repeat(paddedLength - zeros.length()))
                .getBytes(StandardCharsets.UTF_8));
        String json = String.format(template, headerDigest);
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);

        byte[] actual = Files.readAllBytes(file);
        assertEquals(8 + paddedLength + 8, actual.length);
        assertArrayEquals(HandBuiltFiles.le64(paddedLength), Arrays.copyOfRange(actual, 0, 8));
        assertEquals(json, new String(actual, 8, jsonBytes.length, StandardCharsets.UTF_8));
        for (int i = 8 + jsonBytes.length; i < 8 + paddedLength; i++) {
            assertEquals(' ', actual[i], "padding byte " + i);
        }
        assertArrayEquals(data, Arrays.copyOfRange(actual, 8 + paddedLength, actual.length));
        assertArrayEquals(HandBuiltFiles.file(json, data), actual);
    }

    @Test
    void floatAndDoubleTensorsOfEveryRankRoundTripBitExactly() {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("scalar.f32", Nd4j.scalar(3.25f));
        tensors.put("scalar.f64", Nd4j.scalar(-1e-300));
        tensors.put("empty.f32", Nd4j.create(DataType.FLOAT, 0));
        tensors.put("empty.f64", Nd4j.create(DataType.DOUBLE, 2, 0, 3));
        tensors.put("special.f32", Nd4j.createFromArray(Float.NaN, Float.intBitsToFloat(0x7fc12345), -0.0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE));
        tensors.put("special.f64", Nd4j.createFromArray(Double.longBitsToDouble(0x7ff8000000abcdefL), -0.0,
                Double.MIN_VALUE, Double.MAX_VALUE, Math.PI));
        tensors.put("matrix.f32", random(DataType.FLOAT, 3, 5));
        tensors.put("rank3.f64", random(DataType.DOUBLE, 2, 3, 4));
        tensors.put("rank4.f32", random(DataType.FLOAT, 2, 1, 3, 2));
        tensors.put("rank4.f64", random(DataType.DOUBLE, 1, 2, 2, 3));

        TensorFile read = writeAndRead(tensors, Map.of("config", "{\"hidden\":200}"));

        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(read.tensors().keySet()), "order kept");
        tensors.forEach((name, expected) -> assertBitExact(name, expected, read.tensors().get(name)));
    }

    @Test
    void metadataRoundTripsInOrderWithTheDigestAdded() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "rnn-checkpoint-1");
        metadata.put("config", "{\"cell\":\"lstm\",\"layers\":[200,200]}");
        metadata.put("unicode", "perplexité ≈ 110 \n\t\"quoted\"");
        metadata.put("empty", "");
        metadata.put(SafetensorsHeader.SHA256_KEY, "stale value from an earlier file is replaced");
        metadata.put(SafetensorsHeader.HEADER_SHA256_KEY, "so is this one");

        TensorFile read = writeAndRead(Map.of("w", Nd4j.createFromArray(1.0f)), metadata);

        assertEquals(List.of("format", "config", "unicode", "empty", SafetensorsHeader.SHA256_KEY,
                SafetensorsHeader.HEADER_SHA256_KEY), List.copyOf(read.metadata().keySet()));
        assertTrue(read.metadata().get(SafetensorsHeader.HEADER_SHA256_KEY).matches("[0-9a-f]{64}"));
        assertEquals(metadata.get("config"), read.metadata().get("config"));
        assertEquals(metadata.get("unicode"), read.metadata().get("unicode"));
        assertEquals("", read.metadata().get("empty"));
        assertEquals(HandBuiltFiles.sha256Hex(HandBuiltFiles.f32(1.0f)), read.metadata().get(SafetensorsHeader.SHA256_KEY));
    }

    @Test
    void viewsAndFortranOrderArraysAreWrittenInRowMajorOrder() {
        INDArray matrix = Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}});
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("row", matrix.getRow(1));
        tensors.put("column", matrix.getColumn(1));
        tensors.put("transposed", matrix.transpose());
        tensors.put("fortran", matrix.dup('f'));

        TensorFile read = writeAndRead(tensors, Map.of());

        assertArrayEquals(new float[] {4, 5, 6}, read.tensors().get("row").data().asFloat());
        assertArrayEquals(new float[] {2, 5}, read.tensors().get("column").data().asFloat());
        assertArrayEquals(new long[] {3, 2}, read.tensors().get("transposed").shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, read.tensors().get("transposed").data().asFloat());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, read.tensors().get("fortran").data().asFloat());
    }

    @Test
    void largeTensorsCrossChunkBoundaries() {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("embedding", random(DataType.FLOAT, 1_000_003, 3)); // 12 MB, not a whole number of chunks
        tensors.put("decoder.bias", random(DataType.DOUBLE, 300_001));
        TensorFile read = writeAndRead(tensors, Map.of());
        tensors.forEach((name, expected) -> assertBitExact(name, expected, read.tensors().get(name)));
    }

    @Test
    void readsAFileWrittenByAnotherToolWithoutDigestAndInAnyKeyOrder() throws IOException {
        // Keys listed in a different order than their data, no __metadata__: both allowed by the spec.
        String json = "{\"b\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] data = new byte[16];
        System.arraycopy(HandBuiltFiles.f32(0.5f, 7f), 0, data, 0, 8);
        System.arraycopy(HandBuiltFiles.f64(-3.0), 0, data, 8, 8);
        Path file = dir.resolve("foreign.safetensors");
        Files.write(file, HandBuiltFiles.file(json, data));

        TensorFile read = SafetensorsReader.read(file);

        assertEquals(List.of("b", "a"), List.copyOf(read.tensors().keySet()));
        assertEquals(Map.of(), read.metadata());
        assertArrayEquals(new double[] {-3.0}, read.tensors().get("b").data().asDouble());
        assertArrayEquals(new long[] {1, 1}, read.tensors().get("b").shape());
        assertArrayEquals(new float[] {0.5f, 7f}, read.tensors().get("a").data().asFloat());
    }

    @Test
    void headerAloneDescribesTheFileWithoutReadingData() {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("w", Nd4j.create(DataType.FLOAT, 4, 3));
        tensors.put("b", Nd4j.create(DataType.DOUBLE, 3));
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("step", "42"));

        SafetensorsHeader header = SafetensorsHeader.read(file);

        assertEquals("42", header.metadata().get("step"));
        assertEquals(List.of(new TensorInfo("w", TensorDtype.F32, new long[] {4, 3}, 0, 48),
                new TensorInfo("b", TensorDtype.F64, new long[] {3}, 48, 72)), header.tensors());
        assertEquals(72, header.dataLength());
        assertEquals(0, header.dataStart() % 8, "data is 8-byte aligned");
    }

    @Test
    void writerRefusesUnsupportedDtypesAndReservedNames() {
        Path file = dir.resolve("bad.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file,
                Map.of("ids", Nd4j.createFromArray(1, 2, 3)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file,
                Map.of(SafetensorsHeader.METADATA_KEY, Nd4j.createFromArray(1f)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file,
                Map.of("", Nd4j.createFromArray(1f)), Map.of()));
        assertTrue(Files.notExists(file));
    }

    private TensorFile writeAndRead(Map<String, INDArray> tensors, Map<String, String> metadata) {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, metadata);
        return SafetensorsReader.read(file);
    }

    private static INDArray random(DataType type, long... shape) {
        Random random = new Random(Arrays.hashCode(shape));
        INDArray array = Nd4j.create(type, shape);
        long count = array.length();
        if (type == DataType.FLOAT) {
            float[] values = new float[(int) count];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            return Nd4j.create(values, shape, 'c');
        }
        double[] values = new double[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian();
        }
        return Nd4j.create(values, shape, 'c');
    }

    private static void assertBitExact(String name, INDArray expected, INDArray actual) {
        assertEquals(expected.dataType(), actual.dataType(), name + " dtype");
        assertArrayEquals(expected.shape(), actual.shape(), name + " shape");
        assertEquals('c', actual.ordering(), name + " order");
        if (expected.length() == 0) {
            assertEquals(0, actual.length(), name);
            return;
        }
        INDArray dense = expected.dup('c');
        if (expected.dataType() == DataType.FLOAT) {
            float[] want = dense.data().asFloat();
            float[] got = actual.data().asFloat();
            assertEquals(want.length, got.length, name + " length");
            for (int i = 0; i < want.length; i++) {
                if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                    throw new AssertionError(name + "[" + i + "]: " + want[i] + " != " + got[i]);
                }
            }
        } else {
            double[] want = dense.data().asDouble();
            double[] got = actual.data().asDouble();
            assertEquals(want.length, got.length, name + " length");
            for (int i = 0; i < want.length; i++) {
                if (Double.doubleToRawLongBits(want[i]) != Double.doubleToRawLongBits(got[i])) {
                    throw new AssertionError(name + "[" + i + "]: " + want[i] + " != " + got[i]);
                }
            }
        }
    }
}
