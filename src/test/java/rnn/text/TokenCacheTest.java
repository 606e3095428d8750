package rnn.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.RnnException;

/** The encoded-token cache gives the in-memory encoding's ids, is reused only when nothing changed, and is never read half-written. */
class TokenCacheTest {
    private static final TokenizerSpec WORD = TokenizerSpec.parse("word", false);
    private static final VocabularyLimits LIMITS = new VocabularyLimits(2, 6);

    @TempDir
    Path temp;

    @Test
    void buildGivesTheIdsAndVocabularyOfTheInMemoryEncodingAndIsReusedUnchanged() throws IOException {
        Path corpus = corpus("the cat sat on the mat .\nthe dog sat on a log .\na cat and a dog .\n");
        Path file = temp.resolve(TokenCache.FILE_NAME);
        // 8-byte blocks: the ids cross many block borders.
        TokenCache cache = new TokenCache(file, 8);
        Corpus memory = Corpus.read(TextSource.of(corpus), WORD.tokenizer(), LIMITS);

        TokenCache.Encoded built = cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS);
        assertFalse(built.reused());
        assertArrayEquals(memory.ids(), TokenSpan.of(built.ids()).toArray());
        assertEquals(memory.vocabulary(), built.vocabulary());
        assertEquals(memory.sha256(), built.sha256());
        Object inode = inode(file);

        TokenCache.Encoded again = cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS);
        assertTrue(again.reused(), "same files, tokenizer and limits");
        assertEquals(inode, inode(file), "the cache was not rewritten");
        assertArrayEquals(memory.ids(), TokenSpan.of(again.ids()).toArray());
        assertEquals(memory.vocabulary(), again.vocabulary());
        assertEquals(memory.sha256(), again.sha256());

        // A resumed run encodes with the model's vocabulary: the same one, so the same cache.
        TokenCache.Encoded resumed = cache.encode(List.of(corpus), TextSource.of(corpus), WORD, memory.vocabulary());
        assertTrue(resumed.reused());
        assertArrayEquals(memory.ids(), TokenSpan.of(resumed.ids()).toArray());
    }

    @Test
    void aChangedCorpusTokenizerLimitOrVocabularyRebuildsTheCache() throws IOException {
        Path corpus = corpus("the cat sat on the mat .\nthe dog sat on a log .\n");
        TokenCache cache = new TokenCache(temp.resolve(TokenCache.FILE_NAME));
        cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS);

        assertFalse(cache.build(List.of(corpus), TextSource.of(corpus), WORD, new VocabularyLimits(1, 6)).reused(),
                "other limits");
        assertFalse(cache.build(List.of(corpus), TextSource.of(corpus), TokenizerSpec.parse("char", false), LIMITS).reused(),
                "another tokenizer");
        Vocabulary other = Vocabulary.of(List.of(Vocabulary.UNKNOWN_TOKEN, "cat"), new long[] {0, 1});
        TokenCache.Encoded withOther = cache.encode(List.of(corpus), TextSource.of(corpus), WORD, other);
        assertFalse(withOther.reused(), "another vocabulary");
        assertArrayEquals(Corpus.read(TextSource.of(corpus), WORD.tokenizer(), other).ids(),
                TokenSpan.of(withOther.ids()).toArray());

        cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS);
        // Same size, same modification time, only a word in the middle differs: the sampled hash sees it.
        FileTime modified = Files.getLastModifiedTime(corpus);
        Files.writeString(corpus, "the cat sat on the map .\nthe dog sat on a log .\n");
        Files.setLastModifiedTime(corpus, modified);
        TokenCache.Encoded edited = cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS);
        assertFalse(edited.reused(), "edited text");
        assertEquals(Corpus.read(TextSource.of(corpus), WORD.tokenizer(), LIMITS).sha256(), edited.sha256());
    }

    @Test
    void aTornOrForeignCacheIsRebuiltNeverRead() throws IOException {
        Path corpus = corpus("the cat sat on the mat .\nthe dog sat on a log .\n");
        Path file = temp.resolve(TokenCache.FILE_NAME);
        TokenCache cache = new TokenCache(file);
        int[] expected = TokenSpan.of(cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS).ids()).toArray();
        byte[] whole = Files.readAllBytes(file);

        for (int cut : new int[] {0, 8, 20, whole.length / 2, whole.length - 1}) {
            Files.write(file, java.util.Arrays.copyOf(whole, cut));
            TokenCache.Encoded read = cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS);
            assertFalse(read.reused(), "a cache cut at byte " + cut + " is not valid");
            assertArrayEquals(expected, TokenSpan.of(read.ids()).toArray());
        }
        // One id missing from the middle, header and trailer intact: the token count no longer fits the size.
        byte[] shortened = new byte[whole.length - 4];
        System.arraycopy(whole, 0, shortened, 0, 12);
        System.arraycopy(whole, 16, shortened, 12, whole.length - 16);
        Files.write(file, shortened);
        assertFalse(cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS).reused(), "an id missing");
        byte[] flipped = whole.clone();
        flipped[flipped.length - 3] ^= 1; // inside the closing magic
        Files.write(file, flipped);
        assertFalse(cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS).reused());
        assertArrayEquals(whole, Files.readAllBytes(file), "rebuilt to the same bytes");
    }

    @Test
    void aFailedEncodingLeavesThePreviousCacheAndNoTemporaryFile() throws IOException {
        Path corpus = corpus("the cat sat on the mat .\n");
        Path file = temp.resolve(TokenCache.FILE_NAME);
        TokenCache cache = new TokenCache(file);
        cache.build(List.of(corpus), TextSource.of(corpus), WORD, LIMITS);
        byte[] before = Files.readAllBytes(file);

        Path broken = temp.resolve("broken.txt");
        Files.write(broken, new byte[] {'o', 'k', '\n', (byte) 0xff, '\n'}); // invalid UTF-8 on line 2
        assertThrows(RnnException.class, () -> cache.build(List.of(broken), TextSource.of(broken), WORD, LIMITS));
        assertArrayEquals(before, Files.readAllBytes(file), "the previous cache is intact");
        try (Stream<Path> entries = Files.list(temp)) {
            assertEquals(List.of("broken.txt", "corpus.txt", TokenCache.FILE_NAME),
                    entries.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
    }

    @Test
    void theFingerprintSamplesBothEndsOfALargeFileAndNamesItsPath() throws IOException {
        Path big = temp.resolve("big.txt");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(3L << 20);
        }
        FileTime modified = Files.getLastModifiedTime(big);
        String before = TokenCache.fingerprint(List.of(big)).get(0);
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.seek((3L << 20) - 1);
            file.write('x'); // the last byte, far past the first MiB
        }
        Files.setLastModifiedTime(big, modified);
        String after = TokenCache.fingerprint(List.of(big)).get(0);
        assertNotEquals(before, after);
        assertTrue(after.startsWith(big.toAbsolutePath() + " " + (3L << 20) + " bytes"), after);
    }

    private Path corpus(String text) throws IOException {
        Path file = temp.resolve("corpus.txt");
        Files.writeString(file, text);
        return file;
    }

    private static Object inode(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
