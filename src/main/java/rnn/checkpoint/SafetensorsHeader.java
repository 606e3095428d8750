package rnn.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import rnn.RnnException;

/**
 * The validated header of a safetensors file: metadata and tensor entries, no tensor data.
 *
 * <p>Layout (Hugging Face safetensors): an 8-byte little-endian unsigned header length N, N bytes
 * of UTF-8 JSON, then the data section, where every tensor occupies {@code data_offsets
 * [begin, end)} relative to the data section's start. The file is distrusted: every field is
 * checked, sizes are computed with overflow checks, and the tensors must tile the data section
 * exactly, so a declared size can never exceed what the file really holds. This class does not
 * touch ND4J, so commands that only describe a checkpoint stay fast; it does not verify the
 * checksum either ({@link SafetensorsReader} does, since that needs all the data).
 *
 * @param metadata     the {@code __metadata__} strings, in file order (empty if absent)
 * @param tensors      tensor entries in the order the JSON lists them
 * @param headerLength N, the JSON header's length in bytes including padding
 * @param dataLength   bytes in the data section
 */
public record SafetensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors, long headerLength, long dataLength) {
    /** Largest header accepted, as in the reference implementation; bigger ones are refused unread. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /**
     * Most tensors accepted. rnn writes 4 per layer plus 3, and three times that with optimizer
     * state; the cap keeps a header of a million empty tensors (under the byte cap) from costing
     * gigabytes of parsed JSON before anything else is checked.
     */
    public static final int MAX_TENSORS = 10_000;
    /** Deepest tensor accepted; rnn itself writes rank 0 to 4. */
    public static final int MAX_RANK = 8;
    /** Header key of the metadata object. */
    public static final String METADATA_KEY = "__metadata__";
    /** Metadata key holding the lowercase hex SHA-256 of the data section, written by rnn. */
    public static final String SHA256_KEY = "rnn.sha256";
    /**
     * Metadata key holding the lowercase hex SHA-256 of the header (the N bytes after the length
     * prefix, padding included) as it reads with this value replaced by 64 zeros; written by rnn,
     * so damage to the metadata or the tensor table is detected too. Like {@link #SHA256_KEY} it
     * detects corruption; it is no signature (whoever can write the file can recompute it).
     */
    public static final String HEADER_SHA256_KEY = "rnn.header.sha256";
    /** What the header digest is computed over in place of itself. */
    static final String DIGEST_PLACEHOLDER = "0".repeat(64);

    private static final int LENGTH_PREFIX_BYTES = 8;
    private static final Set<String> TENSOR_FIELDS = Set.of("dtype", "shape", "data_offsets");
    private static final int MAX_QUOTED_CHARS = 80;

    public SafetensorsHeader {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /** Byte position in the file where the data section starts. */
    public long dataStart() {
        return LENGTH_PREFIX_BYTES + headerLength;
    }

    /** The tensors sorted by where their bytes lie in the data section. */
    public List<TensorInfo> tensorsInFileOrder() {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        return sorted;
    }

    /** Reads and validates the header of {@code file} without reading tensor data. */
    public static SafetensorsHeader read(Path file) {
        AtomicFiles.requireRegularFileIfPresent(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, channel, Long.MAX_VALUE);
        } catch (IOException e) {
            throw new RnnException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

    /**
     * Reads and validates the header from an open channel. {@code maxDataBytes} refuses files whose
     * data section is larger, before anything is allocated for it.
     */
    static SafetensorsHeader read(Path file, FileChannel channel, long maxDataBytes) throws IOException {
        long fileSize = channel.size();
        if (fileSize < LENGTH_PREFIX_BYTES) {
            throw formatError(file, "file is " + fileSize + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer prefix = ByteBuffer.allocate(LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, prefix, 0);
        long headerLength = prefix.getLong(0);
        // Unsigned in the format: a "negative" long is a length above 2^63, far beyond the cap.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw formatError(file, "header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileSize - LENGTH_PREFIX_BYTES) {
            throw formatError(file, "header length " + headerLength + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        long dataLength = fileSize - LENGTH_PREFIX_BYTES - headerLength;
        if (dataLength > maxDataBytes) {
            throw formatError(file, "data section is " + dataLength + " bytes, above the limit of "
                    + maxDataBytes + " bytes");
        }

        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(file, channel, headerBytes, LENGTH_PREFIX_BYTES);
        headerBytes.flip();
        if (headerLength == 0 || headerBytes.get(0) != '{') {
            throw formatError(file, "header does not start with '{'");
        }
        JsonNode root = parseJson(file, headerBytes);
        if (!root.isObject()) {
            throw formatError(file, "header is not a JSON object");
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                tensors.add(parseTensor(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        SafetensorsHeader header = new SafetensorsHeader(metadata, tensors, headerLength, dataLength);
        checkTensorsTileDataSection(file, header);
        checkDigestFormat(file, metadata, SHA256_KEY, "[0-9a-fA-F]{64}");
        checkDigestFormat(file, metadata, HEADER_SHA256_KEY, "[0-9a-f]{64}"); // only rnn writes it: lowercase
        // Last, so that a header with a specific fault is reported as that fault.
        checkHeaderDigest(file, headerBytes.array(), metadata.get(HEADER_SHA256_KEY));
        return header;
    }

    private static JsonNode parseJson(Path file, ByteBuffer headerBytes) {
        String json;
        try {
            // Strict decoding: Jackson alone would let some malformed UTF-8 through in strings.
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes);
            json = chars.toString();
        } catch (CharacterCodingException e) {
            throw formatError(file, "header is not valid UTF-8");
        }
        countEntries(file, json);
        try {
            JsonNode root = Json.mapper().readTree(json);
            if (root == null || root.isMissingNode()) {
                throw formatError(file, "header is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw formatError(file, "header is not valid JSON" + where + ": " + oneLine(withoutSourceLocation(e.getOriginalMessage())));
        }
    }

    /** Refuses more than {@link #MAX_TENSORS} top-level entries in one streaming pass, before the JSON tree is built. */
    private static void countEntries(Path file, String json) {
        try (JsonParser parser = Json.mapper().getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return; // parseJson reports what is wrong
            }
            int entries = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                if (++entries > MAX_TENSORS + 1) { // + 1: __metadata__
                    throw formatError(file, "header holds more than " + MAX_TENSORS + " tensors");
                }
                parser.nextToken();
                parser.skipChildren();
            }
        } catch (IOException e) {
            // Malformed JSON: parseJson reports it with its position.
        }
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node.isNull()) {
            return metadata;
        }
        if (!node.isObject()) {
            throw formatError(file, "__metadata__ is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw formatError(file, "metadata " + quote(entry.getKey()) + " is not a string");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return metadata;
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataLength) {
        String tensor = "tensor " + quote(name);
        if (!node.isObject()) {
            throw formatError(file, tensor + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!TENSOR_FIELDS.contains(field.getKey())) {
                throw formatError(file, tensor + " has unexpected field " + quote(field.getKey()));
            }
        }

        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw formatError(file, tensor + " has no dtype string");
        }
        TensorDtype dtype = TensorDtype.fromCode(dtypeNode.textValue());
        if (dtype == null) {
            throw formatError(file, tensor + " has dtype " + quote(dtypeNode.textValue())
                    + "; only F32 and F64 are supported");
        }

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw formatError(file, tensor + " has no shape array");
        }
        if (shapeNode.size() > MAX_RANK) {
            throw formatError(file, tensor + " has rank " + shapeNode.size() + ", above the limit of " + MAX_RANK);
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(shapeNode.get(i));
            if (shape[i] < 0) {
                throw formatError(file, tensor + " has shape dimension " + oneLine(shapeNode.get(i).toString())
                        + "; dimensions must be non-negative integers");
            }
        }

        JsonNode offsetsNode = node.get("data_offsets");
        if (offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw formatError(file, tensor + " has no data_offsets pair [begin, end]");
        }
        long begin = nonNegativeLong(offsetsNode.get(0));
        long end = nonNegativeLong(offsetsNode.get(1));
        String offsets = "data_offsets " + oneLine(offsetsNode.toString());
        if (begin < 0 || end < 0) {
            throw formatError(file, tensor + " has " + offsets + "; offsets must be non-negative integers");
        }
        if (begin > end) {
            throw formatError(file, tensor + " has " + offsets + " with begin after end");
        }
        if (end > dataLength) {
            throw formatError(file, tensor + " has " + offsets + " beyond the " + dataLength + "-byte data section");
        }

        long elements;
        long bytes;
        try {
            elements = 1;
            for (long dim : shape) {
                elements = Math.multiplyExact(elements, dim);
            }
            bytes = Math.multiplyExact(elements, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw formatError(file, tensor + " has shape " + oneLine(shapeNode.toString()) + " with too many elements");
        }
        if (bytes != end - begin) {
            throw formatError(file, tensor + " declares " + elements + " elements (" + bytes + " bytes of " + dtype
                    + ") but " + offsets + " span " + (end - begin) + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** The tensors must be packed with no gap or overlap and end exactly at the end of the file. */
    private static void checkTensorsTileDataSection(Path file, SafetensorsHeader header) {
        long expectedBegin = 0;
        TensorInfo previous = null;
        for (TensorInfo info : header.tensorsInFileOrder()) {
            if (info.begin() < expectedBegin) {
                throw formatError(file, "tensor " + quote(info.name()) + " at bytes [" + info.begin() + ", " + info.end()
                        + ") overlaps tensor " + quote(previous.name()) + " at [" + previous.begin() + ", "
                        + previous.end() + ")");
            }
            if (info.begin() > expectedBegin) {
                throw formatError(file, "data section has a gap of " + (info.begin() - expectedBegin)
                        + " bytes before tensor " + quote(info.name()));
            }
            expectedBegin = info.end();
            previous = info;
        }
        if (expectedBegin != header.dataLength()) {
            throw formatError(file, "data section has " + (header.dataLength() - expectedBegin)
                    + " bytes after the last tensor (trailing garbage or a damaged header)");
        }
    }

    private static void checkDigestFormat(Path file, Map<String, String> metadata, String key, String pattern) {
        String digest = metadata.get(key);
        if (digest != null && !digest.matches(pattern)) {
            throw formatError(file, "metadata " + quote(key) + " is not a SHA-256 hex digest");
        }
    }

    private static void checkHeaderDigest(Path file, byte[] header, String expected) {
        if (expected == null) {
            return; // not written by rnn (or by an rnn before header digests)
        }
        byte[] copy = header.clone();
        if (!replaceDigestField(copy, expected, DIGEST_PLACEHOLDER)) {
            throw formatError(file, "header checksum mismatch, the file is corrupt (its "
                    + HEADER_SHA256_KEY + " field is not where rnn writes it)");
        }
        String actual = Sha256.hex(Sha256.newDigest().digest(copy));
        if (!expected.equals(actual)) {
            throw formatError(file, "header checksum mismatch, the file is corrupt (header " + HEADER_SHA256_KEY + " "
                    + expected.substring(0, 12) + "..., header hashes to " + actual.substring(0, 12) + "...)");
        }
    }

    /**
     * Overwrites, in place, the value of the one {@code "rnn.header.sha256":"<from>"} field of a
     * compact JSON header with {@code to} (same length); false if there is not exactly one.
     */
    static boolean replaceDigestField(byte[] header, String from, String to) {
        byte[] field = ("\"" + HEADER_SHA256_KEY + "\":\"" + from + "\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(header, field, 0);
        if (at < 0 || indexOf(header, field, at + 1) >= 0) {
            return false;
        }
        byte[] value = to.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(value, 0, header, at + field.length - 1 - value.length, value.length);
        return true;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The node's value if it is an integer in [0, Long.MAX_VALUE], otherwise -1. */
    private static long nonNegativeLong(JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            return -1;
        }
        return Math.max(-1, node.longValue());
    }

    /** Fills {@code buffer} from {@code position}; a short file is a format error, not a silent short read. */
    static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw formatError(file, "file ended at byte " + at + " while " + buffer.remaining()
                        + " more bytes were expected (it changed while being read?)", new EOFException());
            }
            at += read;
        }
    }

    static CheckpointFormatException formatError(Path file, String problem) {
        return new CheckpointFormatException(file + ": " + problem);
    }

    static CheckpointFormatException formatError(Path file, String problem, Throwable cause) {
        return new CheckpointFormatException(file + ": " + problem, cause);
    }

    /** Jackson sometimes appends "(start marker at [Source: ...])"; the character offset already says where. */
    private static String withoutSourceLocation(String message) {
        int source = message == null ? -1 : message.indexOf("[Source:");
        if (source < 0) {
            return message;
        }
        return message.substring(0, source).replaceAll("\\s*\\(?(start marker )?at\\s*$", "");
    }

    /** A name from the file, quoted for a one-line message. */
    static String quote(String text) {
        return "'" + printable(text, MAX_QUOTED_CHARS) + "'";
    }

    /** Text from the file or a parser, flattened to one line. */
    private static String oneLine(String text) {
        return text == null ? "" : printable(text.replaceAll("\\s+", " ").strip(), 2 * MAX_QUOTED_CHARS);
    }

    /** Escapes control characters (a hostile name must not break the one-line message) and cuts long text. */
    private static String printable(String text, int maxChars) {
        StringBuilder out = new StringBuilder();
        int shown = Math.min(text.length(), maxChars);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return shown < text.length() ? out.append("...").toString() : out.toString();
    }
}
