package rnn.text;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import rnn.RnnException;

/**
 * A corpus encoded once into a file of token ids and read back a block at a time ({@link FileTokenIds}),
 * so training needs neither the ids in the Java heap nor a second tokenizing pass when nothing changed.
 *
 * <p>Layout: the magic {@code RNNTOKS1}; the ids, little-endian int32, from byte 8; the header
 * (UTF-8 JSON: format, token count, corpus SHA-256, fingerprint, tokenizer, vocabulary limits and
 * the vocabulary's SHA-256); the vocabulary in vocab.json's form; the header's and the
 * vocabulary's byte lengths (int64 little-endian each); the magic again. The header comes after
 * the ids because a single streaming pass learns the counts only at its end.
 *
 * <p>The fingerprint of each corpus file is its absolute path, size, modification time and the
 * SHA-256 of its first and last MiB: cheap for any size, and an edit changes the modification
 * time anyway. A cache is reused when fingerprint, tokenizer and either the vocabulary limits (a
 * fresh run, whose vocabulary the cache holds) or the vocabulary (a resumed or fine-tuned run)
 * match; otherwise it is rebuilt. It is written to a hidden temporary file, forced to disk and
 * renamed over the old one, so a killed run never leaves a cache that reads as valid. A file that
 * does not read back whole (wrong magic, lengths or size) counts as absent.
 */
public final class TokenCache {
    /** The cache's name in a model directory; not part of the model (a copy without it still works). */
    public static final String FILE_NAME = "tokens.cache";
    static final int FORMAT = 1;
    private static final Logger LOG = LogManager.getLogger(TokenCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] MAGIC = "RNNTOKS1".getBytes(StandardCharsets.US_ASCII);
    private static final long IDS_OFFSET = MAGIC.length;
    /** Two int64 lengths and the closing magic. */
    private static final int TRAILER_BYTES = 2 * Long.BYTES + MAGIC.length;
    /** The fingerprint hashes this much of each file's start and end. */
    private static final int SAMPLE_BYTES = 1 << 20;
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path file;
    private final int blockBytes;

    /** The cache at {@code file}, read in blocks of {@link FileTokenIds#DEFAULT_BLOCK_BYTES}. */
    public TokenCache(Path file) {
        this(file, FileTokenIds.DEFAULT_BLOCK_BYTES);
    }

    TokenCache(Path file, int blockBytes) {
        this.file = Objects.requireNonNull(file, "file");
        this.blockBytes = blockBytes;
    }

    /**
     * A corpus read from the cache.
     *
     * @param reused whether the cache was valid and matched, so the text was not read at all
     */
    public record Encoded(String name, Vocabulary vocabulary, TokenIds ids, String sha256, boolean reused) {
    }

    /**
     * The corpus made of {@code files} (read as {@code source}) encoded with a vocabulary built from
     * it under {@code limits}: from the cache when it matches, otherwise by one streaming pass
     * that writes a new cache (provisional ids in order of first appearance, remapped in the file
     * once the vocabulary is known, as {@link Corpus#read(TextSource, Tokenizer, VocabularyLimits)}
     * remaps them in memory: the same ids).
     */
    public Encoded build(List<Path> files, TextSource source, TokenizerSpec tokenizer, VocabularyLimits limits) {
        Key key = new Key(fingerprint(files), tokenizer.toString(), describe(limits), null);
        Encoded cached = readMatching(key, source.name());
        if (cached != null) {
            return cached;
        }
        Map<String, Integer> provisionalIds = new HashMap<>();
        List<String> tokensByProvisionalId = new ArrayList<>();
        long[][] counts = {new long[1024]};
        return write(key, source, (out, sink) -> {
            TokenStream.Summary summary = TokenStream.forEach(source, tokenizer.tokenizer(), token -> {
                Integer id = provisionalIds.get(token);
                if (id == null) {
                    id = tokensByProvisionalId.size();
                    provisionalIds.put(token, id);
                    tokensByProvisionalId.add(token);
                    if (id == counts[0].length) {
                        counts[0] = Arrays.copyOf(counts[0], id + (id >> 1));
                    }
                }
                counts[0][id]++;
                sink.add(id);
                return true;
            });
            VocabularyBuilder builder = new VocabularyBuilder();
            for (int id = 0; id < tokensByProvisionalId.size(); id++) {
                builder.add(tokensByProvisionalId.get(id), counts[0][id]);
            }
            Vocabulary vocabulary = builder.build(limits, source.name());
            int[] finalIds = new int[tokensByProvisionalId.size()];
            for (int id = 0; id < finalIds.length; id++) {
                finalIds[id] = vocabulary.id(tokensByProvisionalId.get(id));
            }
            sink.flush();
            remap(out, sink.count(), finalIds);
            return new Written(vocabulary, summary.sha256());
        });
    }

    /**
     * The corpus encoded with a given vocabulary (a resumed or fine-tuned run's): from the cache
     * when it matches, otherwise by one streaming pass that writes a new cache. Unknown tokens get id 0.
     */
    public Encoded encode(List<Path> files, TextSource source, TokenizerSpec tokenizer, Vocabulary vocabulary) {
        Key key = new Key(fingerprint(files), tokenizer.toString(), null, vocabulary.fingerprint());
        Encoded cached = readMatching(key, source.name());
        if (cached != null) {
            return cached;
        }
        return write(key, source, (out, sink) -> {
            TokenStream.Summary summary = TokenStream.forEach(source, tokenizer.tokenizer(), token -> {
                sink.add(vocabulary.id(token));
                return true;
            });
            if (sink.count() == 0) {
                throw new RnnException(source.name() + ": no tokens (is it empty?)");
            }
            sink.flush();
            return new Written(vocabulary, summary.sha256());
        });
    }

    /** What a cache must have been made from to be reused; null limits or vocabulary match anything. */
    private record Key(List<String> fingerprint, String tokenizer, String limits, String vocabularySha256) {
        boolean matches(JsonNode header) {
            return fingerprint.equals(strings(header.get("files"))) && tokenizer.equals(text(header, "tokenizer"))
                    && (limits == null || limits.equals(text(header, "limits")))
                    && (vocabularySha256 == null || vocabularySha256.equals(text(header, "vocabularySha256")));
        }
    }

    private record Written(Vocabulary vocabulary, String sha256) {
    }

    @FunctionalInterface
    private interface Encoder {
        /** Streams the text's ids into {@code sink} (and may rewrite them in {@code out}); returns what the header needs. */
        Written encode(FileChannel out, IdSink sink) throws IOException;
    }

    /** The cache if it reads back whole and was made from {@code key}; null otherwise (logged at -v). */
    private Encoded readMatching(Key key, String name) {
        if (!Files.isRegularFile(file)) {
            LOG.info("{}: no encoded-token cache yet; encoding {}", file, name);
            return null;
        }
        Encoded encoded;
        try {
            encoded = read(key, name);
        } catch (IOException | RuntimeException e) {
            LOG.info("{}: unreadable ({}); encoding {} again", file, e.getMessage(), name);
            return null;
        }
        if (encoded == null) {
            LOG.info("{}: made from another corpus, tokenizer or vocabulary; encoding {} again", file, name);
        } else {
            LOG.info("{}: reusing the {} encoded tokens of {}", file, encoded.ids().size(), name);
        }
        return encoded;
    }

    private Encoded read(Key key, String name) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        boolean keepOpen = false;
        try {
            long size = channel.size();
            if (size < IDS_OFFSET + TRAILER_BYTES) {
                throw new IOException("too short, " + size + " bytes");
            }
            ByteBuffer trailer = readFully(channel, size - TRAILER_BYTES, TRAILER_BYTES);
            long headerBytes = trailer.getLong();
            long vocabularyBytes = trailer.getLong();
            if (!hasMagic(readFully(channel, 0, MAGIC.length)) || !hasMagic(trailer)) {
                throw new IOException("not an encoded-token cache");
            }
            long idsEnd = size - TRAILER_BYTES - vocabularyBytes - headerBytes;
            if (headerBytes <= 0 || vocabularyBytes <= 0 || headerBytes > Integer.MAX_VALUE
                    || vocabularyBytes > Integer.MAX_VALUE || idsEnd < IDS_OFFSET) {
                throw new IOException("section lengths " + headerBytes + " and " + vocabularyBytes + " do not fit the file");
            }
            JsonNode header = JSON.readTree(bytes(readFully(channel, idsEnd, (int) headerBytes)));
            long tokens = header.path("tokens").asLong(-1);
            if (header.path("format").asInt() != FORMAT || tokens != (idsEnd - IDS_OFFSET) / Integer.BYTES
                    || (idsEnd - IDS_OFFSET) % Integer.BYTES != 0) {
                throw new IOException("format or token count does not match the file");
            }
            if (!key.matches(header)) {
                return null;
            }
            Vocabulary vocabulary;
            try (InputStream in = new ByteArrayInputStream(bytes(readFully(channel, idsEnd + headerBytes, (int) vocabularyBytes)))) {
                vocabulary = Vocabulary.read(in, file.toString());
            }
            if (!vocabulary.fingerprint().equals(text(header, "vocabularySha256"))) {
                throw new IOException("the vocabulary does not match its SHA-256");
            }
            Encoded encoded = new Encoded(name, vocabulary, new FileTokenIds(channel, IDS_OFFSET, tokens, blockBytes),
                    text(header, "corpusSha256"), true);
            keepOpen = true; // the ids read their blocks from it
            return encoded;
        } finally {
            if (!keepOpen) {
                channel.close();
            }
        }
    }

    /** Encodes into a hidden temporary file, then renames it over the cache once it is whole and on disk. */
    private Encoded write(Key key, TextSource source, Encoder encoder) {
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling("." + absolute.getFileName() + "."
                + HexFormat.of().formatHex(randomBytes()) + ".tmp");
        try {
            Files.createDirectories(absolute.getParent());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(MAGIC), 0);
                IdSink sink = new IdSink(channel);
                Written written = encoder.encode(channel, sink);
                long tokens = sink.count();
                ObjectNode header = JSON.createObjectNode();
                header.put("format", FORMAT);
                header.put("tokens", tokens);
                header.put("corpusSha256", written.sha256());
                header.set("files", JSON.valueToTree(key.fingerprint()));
                header.put("tokenizer", key.tokenizer());
                header.put("limits", key.limits());
                header.put("vocabularySha256", written.vocabulary().fingerprint());
                byte[] headerBytes = JSON.writeValueAsBytes(header);
                ByteArrayOutputStream vocabulary = new ByteArrayOutputStream();
                written.vocabulary().write(vocabulary);
                long position = IDS_OFFSET + tokens * Integer.BYTES;
                position += writeFully(channel, position, ByteBuffer.wrap(headerBytes));
                position += writeFully(channel, position, ByteBuffer.wrap(vocabulary.toByteArray()));
                ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                trailer.putLong(headerBytes.length).putLong(vocabulary.size()).put(MAGIC).flip();
                writeFully(channel, position, trailer);
                channel.force(true);
            }
            move(temporary, absolute);
            temporary = null;
        } catch (IOException e) {
            throw new RnnException("cannot write " + file + ": " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw new RnnException("cannot write " + file + ": " + e.getCause().getMessage(), e);
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // A hidden leftover; the model directory's lock removes it next time.
                }
            }
        }
        LOG.info("{}: encoded {}", file, source.name());
        try {
            Encoded encoded = read(key, source.name());
            if (encoded == null) {
                throw new IOException("does not match what was just written");
            }
            return new Encoded(encoded.name(), encoded.vocabulary(), encoded.ids(), encoded.sha256(), false);
        } catch (IOException e) {
            throw new RnnException("cannot read back " + file + ": " + e.getMessage(), e);
        }
    }

    /** Rewrites the {@code count} provisional ids after the magic as {@code finalIds[id]}, a buffer at a time. */
    private static void remap(FileChannel channel, long count, int[] finalIds) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long done = 0;
        while (done < count) {
            int ids = (int) Math.min(count - done, BUFFER_BYTES / Integer.BYTES);
            long position = IDS_OFFSET + done * Integer.BYTES;
            buffer.clear().limit(ids * Integer.BYTES);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new IOException("ends before its " + count + " ids");
                }
            }
            for (int i = 0; i < ids; i++) {
                int at = i * Integer.BYTES;
                buffer.putInt(at, finalIds[buffer.getInt(at)]);
            }
            buffer.flip();
            writeFully(channel, position, buffer);
            done += ids;
        }
    }

    /** Appends ids after the magic through a buffer, so encoding holds no more than the buffer. */
    private static final class IdSink {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long count;
        private long written;

        IdSink(FileChannel channel) {
            this.channel = channel;
        }

        void add(int id) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            buffer.putInt(id);
            count++;
        }

        long count() {
            return count;
        }

        void flush() {
            buffer.flip();
            try {
                written += writeFully(channel, IDS_OFFSET + written, buffer);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            buffer.clear();
        }
    }

    /**
     * Each file's absolute path, size, modification time and SHA-256 of its first and last MiB:
     * read in two short reads whatever the file's size.
     */
    static List<String> fingerprint(List<Path> files) {
        List<String> fingerprint = new ArrayList<>(files.size());
        for (Path path : files) {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                int head = (int) Math.min(size, SAMPLE_BYTES);
                digest.update(readFully(channel, 0, head));
                long tailStart = Math.max(head, size - SAMPLE_BYTES);
                digest.update(readFully(channel, tailStart, (int) (size - tailStart)));
                fingerprint.add(path.toAbsolutePath().normalize() + " " + size + " bytes, modified "
                        + Files.getLastModifiedTime(path).toMillis() + ", sampled sha256 "
                        + HexFormat.of().formatHex(digest.digest()));
            } catch (IOException e) {
                throw new RnnException(path + ": cannot read: " + e.getMessage(), e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return fingerprint;
    }

    private static String describe(VocabularyLimits limits) {
        return "min-count " + limits.minCount() + ", max-vocab " + limits.maxVocab();
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("ends before byte " + (position + length));
            }
        }
        return buffer.flip();
    }

    private static int writeFully(FileChannel channel, long position, ByteBuffer buffer) throws IOException {
        int length = buffer.remaining();
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + length - buffer.remaining());
        }
        return length;
    }

    private static boolean hasMagic(ByteBuffer buffer) {
        byte[] magic = new byte[MAGIC.length];
        buffer.get(magic);
        return Arrays.equals(magic, MAGIC);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(value -> values.add(value.asText()));
        }
        return values;
    }

    private static byte[] randomBytes() {
        byte[] random = new byte[8];
        ThreadLocalRandom.current().nextBytes(random);
        return random;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename atomically into " + to.getParent(), e);
        }
        try (FileChannel directory = FileChannel.open(to.getParent(), StandardOpenOption.READ)) {
            directory.force(true); // the rename itself on disk
        } catch (IOException e) {
            // Some file systems cannot open or sync a directory; the rename has still happened.
        }
    }
}
