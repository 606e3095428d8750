package rnn.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import rnn.RnnException;

/**
 * An immutable mapping between tokens and ids {@code 0..size-1}, with each token's count in the
 * text it was built from. Id 0 is always {@code <unk>}, which stands for every token the
 * vocabulary lacks. Built by {@link VocabularyBuilder}; saved as JSON:
 * <pre>{"format":1,"unk":"&lt;unk&gt;","size":3,"sha256":"…","tokens":["&lt;unk&gt;","the","a"],"counts":[5,9,4]}</pre>
 */
public final class Vocabulary {
    public static final String UNKNOWN_TOKEN = "<unk>";
    public static final int UNKNOWN_ID = 0;
    /** Version of the JSON layout written by {@link #save(Path)}. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String[] tokens;
    private final long[] counts;
    private final List<String> tokenList;
    private final Map<String, Integer> ids;
    private final String fingerprint;

    /** Trusted arguments, already checked and never shared. */
    Vocabulary(String[] tokens, long[] counts) {
        this.tokens = tokens;
        this.counts = counts;
        this.tokenList = Collections.unmodifiableList(Arrays.asList(tokens));
        this.ids = new HashMap<>(tokens.length * 4 / 3 + 1);
        for (int id = 0; id < tokens.length; id++) {
            ids.put(tokens[id], id);
        }
        this.fingerprint = sha256(tokens);
    }

    /**
     * A vocabulary from its tokens in id order and their counts, e.g. as read back from a checkpoint.
     *
     * @throws IllegalArgumentException if the first token is not {@code <unk>}, a token repeats or
     *                                  is null, a count is negative, or the lengths differ
     */
    public static Vocabulary of(List<String> tokens, long[] counts) {
        String[] tokenArray = tokens.toArray(new String[0]);
        long[] countArray = counts.clone();
        String problem = problem(tokenArray, countArray);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Vocabulary(tokenArray, countArray);
    }

    /** Number of ids, {@code <unk>} included. */
    public int size() {
        return tokens.length;
    }

    /** The id of {@code token}, or {@link #UNKNOWN_ID} if the vocabulary lacks it. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? UNKNOWN_ID : id;
    }

    public String token(int id) {
        return tokens[id];
    }

    /** Occurrences in the text the vocabulary was built from; for {@code <unk>}, those of every token cut off too. */
    public long count(int id) {
        return counts[id];
    }

    public boolean isUnknown(int id) {
        return id == UNKNOWN_ID;
    }

    /** True if {@code token} has an id of its own ({@code <unk>} itself included). */
    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The tokens in id order, unmodifiable. */
    public List<String> tokens() {
        return tokenList;
    }

    /** Sum of all counts: the length of the text the vocabulary was built from, in tokens. */
    public long totalCount() {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }

    /**
     * SHA-256 in lowercase hex over the tokens in id order (each as a 4-byte big-endian UTF-8
     * length followed by its UTF-8 bytes), so two vocabularies share it exactly when they map the
     * same tokens to the same ids. Counts are not included.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Writes the vocabulary as JSON, atomically: readers see the old file or the whole new one. */
    public void save(Path file) {
        Path absolute = file.toAbsolutePath();
        Path temporary = null;
        try {
            temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
            try (OutputStream out = Files.newOutputStream(temporary)) {
                write(out);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new RnnException(file + ": cannot write vocabulary: " + describe(e), e);
        }
    }

    /** Writes the JSON form to {@code out}, leaving it open. */
    public void write(OutputStream out) throws IOException {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter();
        printer.indentArraysWith(new DefaultIndenter("  ", "\n"));
        printer.indentObjectsWith(new DefaultIndenter("  ", "\n"));
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            json.setPrettyPrinter(printer);
            json.writeStartObject();
            json.writeNumberField("format", FORMAT);
            json.writeStringField("unk", UNKNOWN_TOKEN);
            json.writeNumberField("size", tokens.length);
            json.writeStringField("sha256", fingerprint);
            json.writeArrayFieldStart("tokens");
            for (String token : tokens) {
                json.writeString(token);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("counts");
            for (long count : counts) {
                json.writeNumber(count);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    /** Reads a file written by {@link #save(Path)}, checking every field; problems name the file. */
    public static Vocabulary load(Path file) {
        if (Files.exists(file) && !Files.isRegularFile(file)) { // a FIFO would block the open for ever
            throw new RnnException(file + ": not a regular file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new RnnException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new RnnException(file + ": permission denied");
        } catch (IOException e) {
            throw new RnnException(file + ": cannot read vocabulary: " + describe(e), e);
        }
    }

    /** Reads the JSON form from {@code in}; {@code name} is how error messages refer to it. */
    public static Vocabulary read(InputStream in, String name) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new RnnException(name + ": not a vocabulary file: invalid JSON" + where);
        }
        String bad = name + ": not a valid vocabulary file: ";
        if (root == null || !root.isObject()) {
            throw new RnnException(bad + "expected a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.canConvertToInt()) {
            throw new RnnException(bad + "no \"format\" number");
        }
        if (format.intValue() != FORMAT) {
            throw new RnnException(name + ": vocabulary format " + format.asText()
                    + " is not supported (this rnn reads format " + FORMAT + ")");
        }
        JsonNode unk = root.get("unk");
        if (unk != null && !UNKNOWN_TOKEN.equals(unk.textValue())) {
            throw new RnnException(bad + "\"unk\" must be \"" + UNKNOWN_TOKEN + "\"");
        }
        JsonNode tokenNodes = root.get("tokens");
        JsonNode countNodes = root.get("counts");
        if (tokenNodes == null || !tokenNodes.isArray() || countNodes == null || !countNodes.isArray()) {
            throw new RnnException(bad + "\"tokens\" and \"counts\" must be arrays");
        }
        String[] tokens = new String[tokenNodes.size()];
        for (int i = 0; i < tokens.length; i++) {
            if (!tokenNodes.get(i).isTextual()) {
                throw new RnnException(bad + "tokens[" + i + "] is not a string");
            }
            tokens[i] = tokenNodes.get(i).textValue();
        }
        long[] counts = new long[countNodes.size()];
        for (int i = 0; i < counts.length; i++) {
            if (!countNodes.get(i).isIntegralNumber() || !countNodes.get(i).canConvertToLong()) {
                throw new RnnException(bad + "counts[" + i + "] is not a whole number");
            }
            counts[i] = countNodes.get(i).longValue();
        }
        String problem = problem(tokens, counts);
        if (problem != null) {
            throw new RnnException(bad + problem);
        }
        JsonNode size = root.get("size");
        if (size != null && size.asLong(-1) != tokens.length) {
            throw new RnnException(bad + "\"size\" is " + size.asText() + " but there are " + tokens.length + " tokens");
        }
        Vocabulary vocabulary = new Vocabulary(tokens, counts);
        JsonNode sha = root.get("sha256");
        if (sha != null && !vocabulary.fingerprint.equals(sha.asText())) {
            throw new RnnException(bad + "the tokens do not match its \"sha256\" (was the file edited?)");
        }
        return vocabulary;
    }

    /** Same tokens in the same order with the same counts. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Vocabulary that && Arrays.equals(tokens, that.tokens) && Arrays.equals(counts, that.counts);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return "Vocabulary[size=" + tokens.length + ", sha256=" + fingerprint.substring(0, 12) + "…]";
    }

    /** What is wrong with these contents, or null if nothing is. */
    private static String problem(String[] tokens, long[] counts) {
        if (tokens.length != counts.length) {
            return tokens.length + " tokens but " + counts.length + " counts";
        }
        if (tokens.length == 0 || !UNKNOWN_TOKEN.equals(tokens[0])) {
            return "the first token must be " + UNKNOWN_TOKEN;
        }
        Map<String, Integer> seen = new HashMap<>(tokens.length * 4 / 3 + 1);
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) {
                return "tokens[" + id + "] is null";
            }
            Integer earlier = seen.putIfAbsent(tokens[id], id);
            if (earlier != null) {
                return "tokens[" + id + "] repeats tokens[" + earlier + "]";
            }
            if (counts[id] < 0) {
                return "counts[" + id + "] is negative";
            }
        }
        return null;
    }

    private static String sha256(String[] tokens) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
        for (String token : tokens) {
            byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
            digest.update(length.clear().putInt(bytes.length).array());
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the write already failed; that error is the one to report
            }
        }
    }
}
