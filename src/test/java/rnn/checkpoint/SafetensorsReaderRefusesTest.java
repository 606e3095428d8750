package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import rnn.RnnException;

/** Every damaged or hostile file is refused with a one-line CheckpointFormatException naming the problem. */
class SafetensorsReaderRefusesTest {
    private static final String TENSOR_A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path dir;
    private Path file;
    private byte[] valid;
    private int headerLength;

    @BeforeEach
    void writeValidFile() throws IOException {
        file = dir.resolve("weights.safetensors");
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("encoder.weight", Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}}));
        tensors.put("decoder.bias", Nd4j.createFromArray(0.25, -0.5));
        SafetensorsWriter.write(file, tensors, Map.of("config", "{}"));
        valid = Files.readAllBytes(file);
        headerLength = (int) SafetensorsHeader.read(file).headerLength();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void fileTooShortForTheLengthPrefix(int length) throws IOException {
        refuses(Arrays.copyOf(valid, length), "too short for the 8-byte header length");
    }

    @Test
    void truncatedInsideTheHeader() throws IOException {
        refuses(Arrays.copyOf(valid, 8), "runs past the end of the file");
        refuses(Arrays.copyOf(valid, 8 + headerLength / 2), "runs past the end of the file");
        refuses(Arrays.copyOf(valid, 8 + headerLength - 1), "runs past the end of the file");
    }

    @Test
    void truncatedInsideTheData() throws IOException {
        refuses(Arrays.copyOf(valid, 8 + headerLength), "beyond the 0-byte data section");
        refuses(Arrays.copyOf(valid, valid.length - 9), "beyond the");
        refuses(Arrays.copyOf(valid, valid.length - 1), "beyond the");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        refuses(HandBuiltFiles.raw(1000, "{}      ".getBytes(StandardCharsets.US_ASCII), new byte[0]),
                "header length 1000 runs past the end of the file (16 bytes)");
    }

    @Test
    void hugeHeaderLengthIsRefusedUnread() throws IOException {
        refuses(HandBuiltFiles.raw(200_000_000L, new byte[16], new byte[0]),
                "header length 200000000 exceeds the limit of 100000000 bytes");
        refuses(HandBuiltFiles.raw(-1L, new byte[16], new byte[0]),
                "header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        refuses(HandBuiltFiles.file("{this is not json}", new byte[0]), "header is not valid JSON");
        refuses(HandBuiltFiles.file("[1, 2, 3]", new byte[0]), "header does not start with '{'");
        refuses(HandBuiltFiles.file("{" + TENSOR_A + "} {}", new byte[8]), "header is not valid JSON");
        refuses(HandBuiltFiles.raw(0, new byte[0], new byte[0]), "header does not start with '{'");
        byte[] badUtf8 = "{\"\u00e9\":1}    ".getBytes(StandardCharsets.ISO_8859_1);
        refuses(HandBuiltFiles.raw(badUtf8.length, badUtf8, new byte[0]), "header is not valid UTF-8");
        // Padding must be spaces: NUL bytes are not JSON whitespace.
        byte[] nulPadded = Arrays.copyOf("{}".getBytes(StandardCharsets.US_ASCII), 8);
        refuses(HandBuiltFiles.raw(8, nulPadded, new byte[0]), "header is not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "I64", "f32", "XYZ"})
    void unsupportedDtype(String dtype) throws IOException {
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor 'a' has dtype '" + dtype + "'; only F32 and F64 are supported");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[-2]", "[2.0]", "[1.5]", "[\"2\"]", "[null]", "[true]", "[99999999999999999999]"})
    void invalidShapeDimension(String shape) throws IOException {
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor 'a' has shape dimension");
    }

    @Test
    void absurdShapesAreRefusedBeforeAllocating() throws IOException {
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000000000],\"data_offsets\":[0,8]}}",
                new byte[8]), "tensor 'a' declares 1000000000000000000 elements (4000000000000000000 bytes of F32)"
                + " but data_offsets [0,8] span 8 bytes");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F64\",\"shape\":[10000000000,10000000000],\"data_offsets\":[0,8]}}",
                new byte[8]), "with too many elements");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2],\"data_offsets\":[0,17179869176]}}",
                new byte[8]), "beyond the 8-byte data section");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}",
                new byte[8]), "has rank 9, above the limit of 8");
    }

    @Test
    void sizeDisagreesWithShape() throws IOException {
        refuses(HandBuiltFiles.file("{\"decoder.bias\":{\"dtype\":\"F32\",\"shape\":[10000],\"data_offsets\":[0,400]}}",
                new byte[400]), "tensor 'decoder.bias' declares 10000 elements (40000 bytes of F32) but data_offsets [0,400] span 400 bytes");
    }

    @Test
    void badOffsets() throws IOException {
        String b = "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";
        refuses(HandBuiltFiles.file("{" + TENSOR_A + "," + b + "[4,12]}}", new byte[16]),
                "tensor 'b' at bytes [4, 12) overlaps tensor 'a' at [0, 8)");
        refuses(HandBuiltFiles.file("{" + TENSOR_A + "," + b + "[12,20]}}", new byte[20]),
                "gap of 4 bytes before tensor 'b'");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", new byte[8]),
                "tensor 'a' has data_offsets [8,0] with begin after end");
        refuses(HandBuiltFiles.file("{" + TENSOR_A + "," + b + "[8,16]}}", new byte[12]),
                "tensor 'b' has data_offsets [8,16] beyond the 12-byte data section");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", new byte[8]),
                "offsets must be non-negative integers");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", new byte[8]),
                "tensor 'a' has no data_offsets pair");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "gap of 4 bytes before tensor 'a'");
    }

    @Test
    void trailingGarbageAfterTheLastTensor() throws IOException {
        byte[] withGarbage = Arrays.copyOf(valid, valid.length + 3);
        refuses(withGarbage, "data section has 3 bytes after the last tensor");
        refuses(HandBuiltFiles.file("{}", new byte[1]), "data section has 1 bytes after the last tensor");
    }

    @Test
    void flippedDataByteFailsTheChecksum() throws IOException {
        byte[] corrupt = valid.clone();
        corrupt[corrupt.length - 5] ^= 0x10;
        refuses(corrupt, "data checksum mismatch, the file is corrupt");
    }

    @Test
    void malformedStructure() throws IOException {
        refuses(HandBuiltFiles.file("{\"__metadata__\":{\"step\":3}," + TENSOR_A + "}", new byte[8]),
                "metadata 'step' is not a string");
        refuses(HandBuiltFiles.file("{\"__metadata__\":[]," + TENSOR_A + "}", new byte[8]),
                "__metadata__ is not a JSON object");
        refuses(HandBuiltFiles.file("{\"__metadata__\":{\"rnn.sha256\":\"abc\"}," + TENSOR_A + "}", new byte[8]),
                "metadata 'rnn.sha256' is not a SHA-256 hex digest");
        refuses(HandBuiltFiles.file("{\"a\":[1,2]}", new byte[0]), "tensor 'a' is not a JSON object");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}",
                new byte[8]), "tensor 'a' has unexpected field 'x'");
        refuses(HandBuiltFiles.file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'a' has no dtype string");
        refuses(HandBuiltFiles.file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]),
                "tensor 'a' has no shape array");
        refuses(HandBuiltFiles.file("{" + TENSOR_A + "," + TENSOR_A + "}", new byte[8]), "Duplicate field 'a'");
    }

    @Test
    void hostileNamesCannotBreakTheOneLineMessage() throws IOException {
        String name = "evil\\nname\\u2028" + "x".repeat(500);
        refuses(HandBuiltFiles.file("{\"" + name + "\":{\"dtype\":\"Q\",\"shape\":[],\"data_offsets\":[0,4]}}",
                new byte[4]), "tensor 'evil\\u000aname\\u2028xxx");
    }

    @Test
    void callerLimitOnDataSizeIsEnforcedBeforeReading() {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> SafetensorsReader.read(file, 10));
        assertEquals(file + ": data section is 40 bytes, above the limit of 10 bytes", e.getMessage());
        assertEquals(2, SafetensorsReader.read(file, 40).tensors().size());
    }

    @Test
    void missingFileIsAnIoErrorNotAFormatError() {
        Path missing = dir.resolve("missing.safetensors");
        RnnException e = assertThrows(RnnException.class, () -> SafetensorsReader.read(missing));
        assertFalse(e instanceof CheckpointFormatException);
        assertTrue(e.getMessage().startsWith("cannot read " + missing + ": no such file"), e.getMessage());
    }

    private void refuses(byte[] content, String expectedProblem) throws IOException {
        Files.write(file, content);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> SafetensorsReader.read(file));
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains(expectedProblem), "expected '" + expectedProblem + "' in: " + message);
        assertFalse(message.contains("\n") || message.contains("\r") || message.contains("\u2028"), message);
        assertTrue(message.length() < 400, message);
    }
}
