package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded random damage to a valid file: reading must either succeed or throw
 * CheckpointFormatException, never anything else (no IndexOutOfBounds, no NegativeArraySize, no
 * OutOfMemoryError).
 */
class SafetensorsFuzzTest {
    private static final long SEED = 20240611L;
    private static final int MUTATIONS = 2000;
    /** Characters that turn header edits into plausible-but-wrong JSON rather than plain garbage. */
    private static final byte[] JSON_CHARS = "{}[]\",:0123456789-.eE FfIU_ \\".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void randomDamageIsEitherHarmlessOrRefusedAsAFormatError() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("embedding.weight", Nd4j.rand(DataType.FLOAT, 5, 3));
        tensors.put("rnn.bias", Nd4j.rand(DataType.DOUBLE, 4));
        tensors.put("scale", Nd4j.scalar(0.5f));
        tensors.put("nothing", Nd4j.create(DataType.FLOAT, 0));
        Path original = dir.resolve("original.safetensors");
        SafetensorsWriter.write(original, tensors, Map.of("config", "{\"hidden\":3,\"layers\":1}", "step", "7"));
        byte[] valid = Files.readAllBytes(original);
        int headerEnd = 8 + (int) SafetensorsHeader.read(original).headerLength();
        Path damaged = dir.resolve("damaged.safetensors");

        int[] outcomes = new int[2]; // [read fine, refused]
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] mutated = mutate(valid, headerEnd, random);
                Files.write(damaged, mutated);
                try {
                    SafetensorsReader.read(damaged);
                    outcomes[0]++;
                } catch (CheckpointFormatException expected) {
                    outcomes[1]++;
                } catch (Throwable unexpected) {
                    throw new AssertionError("mutation " + i + " (seed " + SEED + ") threw " + unexpected, unexpected);
                }
            }
        });
        assertTrue(outcomes[1] > MUTATIONS / 2, "most damage is detected: " + Arrays.toString(outcomes));
    }

    /**
     * With both digests, every single-bit flip anywhere in a file rnn wrote is refused, except a flip
     * inside the name of the header digest key itself, which disables that check but leaves every
     * tensor and every other metadata value as written (the data digest still covers the data).
     */
    @Test
    void everySingleBitFlipIsDetected() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("decoder.weight", Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}, {5, 6}}));
        tensors.put("decoder.bias", Nd4j.createFromArray(0.5f, -0.5f, 0.25f));
        Path original = dir.resolve("original.safetensors");
        SafetensorsWriter.write(original, tensors, Map.of("rnn.progress", "{\"epoch\":3,\"learningRate\":0.003}"));
        byte[] valid = Files.readAllBytes(original);
        TensorFile expected = SafetensorsReader.read(original);
        String header = new String(valid, StandardCharsets.ISO_8859_1);
        int keyStart = header.indexOf("\"" + SafetensorsHeader.HEADER_SHA256_KEY + "\"") + 1;
        int keyEnd = keyStart + SafetensorsHeader.HEADER_SHA256_KEY.length();
        Path damaged = dir.resolve("flipped.safetensors");
        int accepted = 0;
        for (int at = 0; at < valid.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = valid.clone();
                flipped[at] ^= (byte) (1 << bit);
                Files.write(damaged, flipped);
                TensorFile read;
                try {
                    read = SafetensorsReader.read(damaged);
                } catch (CheckpointFormatException detected) {
                    continue;
                }
                accepted++;
                assertTrue(at >= keyStart && at < keyEnd, "a flip of bit " + bit + " at byte " + at + " went unnoticed");
                assertEquals(expected.tensors(), read.tensors());
                assertEquals(expected.metadata().get("rnn.progress"), read.metadata().get("rnn.progress"));
            }
        }
        assertTrue(accepted <= 8 * (keyEnd - keyStart), accepted + " flips accepted");
    }

    private static byte[] mutate(byte[] valid, int headerEnd, Random random) {
        byte[] bytes = valid.clone();
        switch (random.nextInt(8)) {
            case 0 -> { // flip one to three bits anywhere
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 3 -> { // append garbage
                byte[] longer = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(64));
                for (int i = bytes.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                bytes = longer;
            }
            case 4 -> { // a header character becomes a JSON-ish one
                for (int n = 1 + random.nextInt(2); n > 0; n--) {
                    bytes[8 + random.nextInt(headerEnd - 8)] = JSON_CHARS[random.nextInt(JSON_CHARS.length)];
                }
            }
            case 5 -> { // a digit in the header changes: shapes and offsets stay syntactically valid
                int at = 8 + random.nextInt(headerEnd - 8);
                while (at < headerEnd && !Character.isDigit(bytes[at])) {
                    at++;
                }
                if (at < headerEnd) {
                    bytes[at] = (byte) ('0' + random.nextInt(10));
                }
            }
            case 6 -> { // the length prefix changes, slightly or wildly
                long length = random.nextBoolean() ? headerEnd - 8 + random.nextInt(33) - 16 : random.nextLong();
                System.arraycopy(HandBuiltFiles.le64(length), 0, bytes, 0, 8);
            }
            default -> { // insert or delete header bytes and keep the length prefix consistent
                int at = 8 + random.nextInt(headerEnd - 8);
                byte[] edited;
                if (random.nextBoolean()) {
                    edited = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, edited, 0, at);
                    edited[at] = JSON_CHARS[random.nextInt(JSON_CHARS.length)];
                    System.arraycopy(bytes, at, edited, at + 1, bytes.length - at);
                } else {
                    edited = new byte[bytes.length - 1];
                    System.arraycopy(bytes, 0, edited, 0, at);
                    System.arraycopy(bytes, at + 1, edited, at, bytes.length - at - 1);
                }
                int delta = edited.length - bytes.length;
                System.arraycopy(HandBuiltFiles.le64(headerEnd - 8 + delta), 0, edited, 0, 8);
                bytes = edited;
            }
        }
        return bytes;
    }
}
