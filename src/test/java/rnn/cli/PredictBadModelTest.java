package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import rnn.checkpoint.ModelStore;

/**
 * `rnn predict -m DIR` on a model directory that is missing, incomplete, damaged or hostile: exit 1,
 * one line naming the file and the problem, no huge allocation, and the directory left as it was.
 */
class PredictBadModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        CliRun run = CliRun.of("train", corpus.toString(), "-o", trained.toString(), "--hidden", "8", "--embedding", "4",
                "--epochs", "1", "--window", "4", "--validation-split", "0", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
    }

    @Test
    void theTrainedModelPredicts() {
        CliRun run = CliRun.of("predict", "-m", trained.toString(), "the cat");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(5, run.out().lines().count());
    }

    @Test
    void missingDirectoryFilesAndWrongKinds() throws IOException {
        refuses(temp.resolve("absent"), "absent: no such model directory");
        Path file = Files.writeString(temp.resolve("plain-file"), "x");
        refuses(file, "plain-file: not a directory");
        for (String name : new String[] {ModelStore.MANIFEST, ModelStore.VOCABULARY, ModelStore.WEIGHTS}) {
            Path copy = copy("without-" + name);
            Files.delete(copy.resolve(name));
            refuses(copy, copy.resolve(name).toString());
        }
        Path directoryAsWeights = copy("weights-is-a-directory");
        Files.delete(directoryAsWeights.resolve(ModelStore.WEIGHTS));
        Files.createDirectory(directoryAsWeights.resolve(ModelStore.WEIGHTS));
        refuses(directoryAsWeights, ModelStore.WEIGHTS);
    }

    /** Checksums pass (the writer computed them over the NaN), so only the finiteness check refuses them. */
    @Test
    void nonFiniteWeightsAreRefused() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path copy = copy("non-finite-" + bad);
            var loaded = ModelStore.load(copy);
            loaded.model().parameters().values().get("decoder.bias").putScalar(1, bad);
            ModelStore.writeWeights(copy.resolve(ModelStore.WEIGHTS), loaded.model(), Map.of());
            refuses(copy, ModelStore.WEIGHTS + ": tensor 'decoder.bias' holds NaN or infinite values");
        }
    }

    /** A FIFO would block the open for ever (waiting for a writer): predict and summary refuse it at once. */
    @Test
    void aFifoInPlaceOfAModelFileIsRefused() throws Exception {
        for (String name : new String[] {ModelStore.WEIGHTS, ModelStore.VOCABULARY}) {
            Path copy = copy("fifo-" + name);
            Files.delete(copy.resolve(name));
            assertEquals(0, new ProcessBuilder("mkfifo", copy.resolve(name).toString()).start().waitFor());
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                refuses(copy, copy.resolve(name) + ": not a regular file");
                CliRun summary = CliRun.of("summary", "-m", copy.toString()); // reads no vocab.json
                assertEquals(name.equals(ModelStore.WEIGHTS) ? 1 : 0, summary.exitCode(), summary.err());
                if (name.equals(ModelStore.WEIGHTS)) {
                    assertTrue(summary.firstErrorLine().contains(name + ": not a regular file"), summary.err());
                }
            });
        }
    }

    /** Tensors the architecture does not name are refused (by summary too), and a header of very many is refused unparsed. */
    @Test
    void extraTensorsAreRefused() throws IOException {
        Path extra = editWeightsHeader("extra-tensor", h -> addEmptyTensors(h, 1));
        refuses(extra, ModelStore.WEIGHTS + ": unexpected tensor 'extra0'; the model has embedding.weight");
        CliRun summary = CliRun.of("summary", "-m", extra.toString());
        assertEquals(1, summary.exitCode(), summary.err());
        assertTrue(summary.firstErrorLine().contains(ModelStore.WEIGHTS + ": unexpected tensor 'extra0'"), summary.err());

        refuses(editWeightsHeader("many-tensors", h -> addEmptyTensors(h, 10_001)),
                ModelStore.WEIGHTS + ": header holds more than 10000 tensors");
    }

    private static void addEmptyTensors(ObjectNode header, int count) {
        for (int i = 0; i < count; i++) {
            ObjectNode tensor = header.putObject("extra" + i);
            tensor.put("dtype", "F32");
            tensor.putArray("shape").add(0);
            tensor.putArray("data_offsets").add(0).add(0);
        }
    }

    @Test
    void damagedWeights() throws IOException {
        Path truncated = copy("truncated");
        Path weights = truncated.resolve(ModelStore.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length / 2));
        refuses(truncated, ModelStore.WEIGHTS + ": tensor ");

        Path inHeader = copy("truncated-in-header");
        Files.write(inHeader.resolve(ModelStore.WEIGHTS), Arrays.copyOf(bytes, 20));
        refuses(inHeader, "runs past the end of the file (20 bytes)");

        Path empty = copy("empty");
        Files.write(empty.resolve(ModelStore.WEIGHTS), new byte[0]);
        refuses(empty, "file is 0 bytes, too short");

        Path flipped = copy("flipped");
        byte[] damaged = bytes.clone();
        damaged[damaged.length - 5] ^= 0x04;
        Files.write(flipped.resolve(ModelStore.WEIGHTS), damaged);
        refuses(flipped, "data checksum mismatch, the file is corrupt");

        Path hugeHeader = copy("huge-header-length");
        byte[] prefixed = bytes.clone();
        System.arraycopy(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62).array(), 0,
                prefixed, 0, 8);
        Files.write(hugeHeader.resolve(ModelStore.WEIGHTS), prefixed);
        refuses(hugeHeader, "header length 4611686018427387904 exceeds the limit");
    }

    @Test
    void headersThatLie() throws IOException {
        refuses(editWeightsHeader("shape-lie", h -> ((ObjectNode) h.get("decoder.bias")).putArray("shape").add(13)),
                "tensor 'decoder.bias' declares 13 elements");
        refuses(editWeightsHeader("shape-swapped", h -> ((ObjectNode) h.get("decoder.weight")).putArray("shape")
                .add(8).add(12)), "tensor 'decoder.weight' has shape [8, 12], the model needs [12, 8]");
        refuses(editWeightsHeader("offset-lie", h -> {
            ObjectNode bias = (ObjectNode) h.get("decoder.bias");
            long begin = bias.get("data_offsets").get(0).asLong();
            long end = bias.get("data_offsets").get(1).asLong();
            bias.putArray("data_offsets").add(begin + 4).add(end + 4);
        }), "beyond the");
        refuses(editWeightsHeader("absurd-shape", h -> ((ObjectNode) h.get("decoder.bias")).putArray("shape")
                .add(1L << 31).add(1L << 31).add(1L << 31)), "with too many elements");
        refuses(editWeightsHeader("absurd-offsets", h -> {
            ObjectNode bias = (ObjectNode) h.get("decoder.bias");
            long begin = bias.get("data_offsets").get(0).asLong();
            bias.putArray("shape").add(1L << 40);
            bias.putArray("data_offsets").add(begin).add(begin + 4 * (1L << 40));
        }), "beyond the");
    }

    @Test
    void vocabularyThatDoesNotMatchTheWeights() throws IOException {
        Path other = copy("other-size");
        Path corpus = Files.writeString(temp.resolve("other.txt"), "just three words\n");
        rnn.text.Corpus.read(rnn.text.TextSource.of(corpus), rnn.text.TokenizerSpec.WORD.tokenizer(),
                rnn.text.VocabularyLimits.NONE).vocabulary().save(other.resolve(ModelStore.VOCABULARY));
        refuses(other, ModelStore.VOCABULARY + ": 4 tokens, but the model has 12");

        Path swapped = copy("same-size-other-tokens");
        Path vocabulary = swapped.resolve(ModelStore.VOCABULARY);
        Files.writeString(vocabulary, Files.readString(vocabulary).replace("\"cat\"", "\"cow\""));
        refuses(swapped, ModelStore.VOCABULARY);
    }

    @Test
    void hostileModelJson() throws IOException {
        refuses(editManifest("future", "\"format\" : 2", "\"format\" : 99"), "format 99 is newer than this rnn reads (2)");
        refuses(editManifest("negative-hidden", "\"hidden\" : 8", "\"hidden\" : -5"),
                "not a valid model description: --hidden must be positive, got -5");
        refuses(editManifest("huge-vocab", "\"size\" : 12", "\"size\" : 2147483647"),
                "the model is too large: embedding.weight would be 2147483647 x 4");
        refuses(editManifest("huge-hidden", "\"hidden\" : 8", "\"hidden\" : 2147483647"),
                "the model is too large");
        refuses(editManifest("billion-layers", "\"layers\" : 1,", "\"layers\" : 1000000000,"),
                "holds 7 tensors, but model.json describes 1000000000 layers");
        refuses(editManifest("fraction", "\"hidden\" : 8", "\"hidden\" : 8.5"), "not a valid model description");
        refuses(editManifest("overflow", "\"hidden\" : 8", "\"hidden\" : 1e400"), "not a valid model description");
        refuses(editManifest("long-number", "\"hidden\" : 8", "\"hidden\" : " + "9".repeat(5000)),
                "not a valid model description");
        refuses(editManifest("deep", "\"format\" : 2,", "\"format\" : 2, \"junk\" : " + "[".repeat(5000)
                + "]".repeat(5000) + ","), "not a valid model description: Document nesting depth");
        refuses(editManifest("tokenizer", "\"tokenizer\" : \"word\"", "\"tokenizer\" : \"nope\""),
                ModelStore.MANIFEST + ": not a valid model description: --tokenizer 'nope' is not one of");
        refuses(editManifest("not-json", "{", "<html>"), "not a valid model description");
        refuses(editManifest("no-network", "\"network\" :", "\"renamed\" :"), "incomplete model description");
        Path empty = copy("empty-manifest");
        Files.write(empty.resolve(ModelStore.MANIFEST), new byte[0]);
        refuses(empty, ModelStore.MANIFEST);
        for (String json : new String[] {"null", "[]", "\"text\"", "42"}) {
            Path odd = copy("manifest-" + json.hashCode());
            Files.writeString(odd.resolve(ModelStore.MANIFEST), json);
            refuses(odd, ModelStore.MANIFEST + ": incomplete model description");
        }
    }

    /** Runs predict on {@code directory}: exit 1, one line containing {@code expected}, and no file changed. */
    private static void refuses(Path directory, String expected) throws IOException {
        Map<String, byte[]> before = snapshot(directory);
        CliRun run = CliRun.of("predict", "-m", directory.toString(), "the cat");
        assertEquals(1, run.exitCode(), directory + " -> " + run.err());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(run.firstErrorLine().startsWith("rnn predict: "), run.err());
        assertTrue(run.firstErrorLine().contains(expected), "'" + run.firstErrorLine() + "' should contain '" + expected + "'");
        Map<String, byte[]> after = snapshot(directory);
        assertEquals(before.keySet(), after.keySet(), "predict creates and deletes nothing");
        before.forEach((name, bytes) -> assertTrue(Arrays.equals(bytes, after.get(name)), name + " is unchanged"));
    }

    private static Map<String, byte[]> snapshot(Path directory) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        if (Files.isDirectory(directory)) {
            try (Stream<Path> list = Files.list(directory)) {
                for (Path file : list.filter(Files::isRegularFile).toList()) {
                    files.put(file.getFileName().toString(), Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    private Path copy(String name) throws IOException {
        Path copy = temp.resolve(name);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(trained)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    @Test
    void anEditedModelJsonFailsItsChecksum() throws IOException {
        Path copy = copy("edited-manifest");
        Path manifest = copy.resolve(ModelStore.MANIFEST);
        String text = Files.readString(manifest);
        assertTrue(text.contains("\"window\" : 4,"));
        Files.writeString(manifest, text.replace("\"window\" : 4,", "\"window\" : 6,"));
        refuses(copy, ModelStore.MANIFEST + ": checksum mismatch, the file is corrupt or was edited"
                + " (if you changed it on purpose, delete its \"sha256\" line)");
    }

    /**
     * Replaces {@code from} in a copy's model.json. The digest line goes, as the checksum message tells
     * someone editing the file on purpose to do, so what is tested is the reading of the edited value.
     */
    private Path editManifest(String name, String from, String to) throws IOException {
        Path copy = copy(name);
        Path manifest = copy.resolve(ModelStore.MANIFEST);
        String text = Files.readString(manifest).replaceFirst("\n  \"sha256\" : \"[0-9a-f]{64}\",\n", "\n");
        assertTrue(text.contains(from), "model.json has " + from);
        Files.writeString(manifest, text.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
        return copy;
    }

    @Test
    void anEditedHeaderFailsItsChecksum() throws IOException {
        Path copy = copy("edited-metadata");
        Path weights = copy.resolve(ModelStore.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String field = "\"rnn.epoch\":\"";
        assertTrue(text.contains(field), "the weights carry rnn.epoch");
        int at = text.indexOf(field) + field.length();
        bytes[at] ^= 0x01; // "1" becomes "0": still a valid header, but not the one that was written
        Files.write(weights, bytes);
        refuses(copy, "header checksum mismatch, the file is corrupt");
    }

    /**
     * Rewrites the JSON header of the weights, keeping the data section as it is. The header digest is
     * dropped, as a file crafted or converted by another tool would lack it, so the structural checks
     * are what refuses it.
     */
    private Path editWeightsHeader(String name, Consumer<ObjectNode> edit) throws IOException {
        Path copy = copy(name);
        Path weights = copy.resolve(ModelStore.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        int length = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(bytes, 8, length, StandardCharsets.UTF_8));
        ((ObjectNode) header.get("__metadata__")).remove("rnn.header.sha256");
        edit.accept(header);
        byte[] json = JSON.writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + bytes.length - 8 - length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(bytes, 8 + length, bytes.length - 8 - length);
        Files.write(weights, out.array());
        return copy;
    }
}
