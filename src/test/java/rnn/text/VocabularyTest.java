package rnn.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.InvalidConfigException;
import rnn.RnnException;

class VocabularyTest {
    @TempDir
    Path dir;

    private static VocabularyBuilder counted(String text) {
        VocabularyBuilder builder = new VocabularyBuilder();
        for (String token : text.split(" ")) {
            builder.add(token);
        }
        return builder;
    }

    @Test
    void sortsByFrequencyThenTokenWithUnkFirst() {
        Vocabulary vocabulary = counted("b a c a b a d").build(VocabularyLimits.NONE);
        assertEquals(List.of("<unk>", "a", "b", "c", "d"), vocabulary.tokens());
        assertEquals(0, vocabulary.count(0));
        assertEquals(3, vocabulary.count(1));
        assertEquals(2, vocabulary.count(2));
        assertEquals(7, vocabulary.totalCount());
    }

    @Test
    void literalUnkIsCountedAtIdZero() {
        Vocabulary vocabulary = counted("<unk> x <unk> y x").build(VocabularyLimits.NONE);
        assertEquals(List.of("<unk>", "x", "y"), vocabulary.tokens());
        assertEquals(2, vocabulary.count(Vocabulary.UNKNOWN_ID));
    }

    @Test
    void minCountSendsRareTokensToUnk() {
        Vocabulary vocabulary = counted("a a a b b c d <unk>").build(new VocabularyLimits(2, Integer.MAX_VALUE));
        assertEquals(List.of("<unk>", "a", "b"), vocabulary.tokens());
        assertEquals(3, vocabulary.count(0), "literal <unk> plus c and d");
        assertEquals(0, vocabulary.id("c"));
        assertEquals(8, vocabulary.totalCount());
    }

    @Test
    void maxVocabCountsUnkAndBreaksTiesByToken() {
        Vocabulary vocabulary = counted("z z y y x x w").build(new VocabularyLimits(1, 3));
        assertEquals(List.of("<unk>", "x", "y"), vocabulary.tokens());
        assertEquals(3, vocabulary.count(0));
        assertEquals(3, vocabulary.size());
    }

    @Test
    void cutOffLeavingOnlyUnkNamesTheOption() {
        InvalidConfigException error = assertThrows(InvalidConfigException.class,
                () -> counted("a b b").build(new VocabularyLimits(3, 10)));
        assertEquals("--min-count 3 leaves only <unk>: the most frequent token occurs 2 times", error.getMessage());
        RnnException empty = assertThrows(RnnException.class, () -> counted("<unk> <unk>").build(VocabularyLimits.NONE));
        assertEquals("no tokens besides <unk> to build a vocabulary from", empty.getMessage());
        assertThrows(RnnException.class, () -> new VocabularyBuilder().build(VocabularyLimits.NONE));
    }

    @Test
    void limitsAreValidated() {
        assertEquals("--min-count must be at least 1, got 0",
                assertThrows(InvalidConfigException.class, () -> new VocabularyLimits(0, 10)).getMessage());
        assertEquals("--max-vocab must be at least 2 (<unk> and one token), got 1",
                assertThrows(InvalidConfigException.class, () -> new VocabularyLimits(1, 1)).getMessage());
    }

    @Test
    void lookupsAndUnknowns() {
        Vocabulary vocabulary = counted("a b b").build(VocabularyLimits.NONE);
        assertEquals(1, vocabulary.id("b"));
        assertEquals(0, vocabulary.id("never"));
        assertEquals("a", vocabulary.token(2));
        assertTrue(vocabulary.isUnknown(vocabulary.id("never")));
        assertFalse(vocabulary.isUnknown(1));
        assertTrue(vocabulary.contains("a"));
        assertTrue(vocabulary.contains("<unk>"));
        assertFalse(vocabulary.contains("never"));
        assertThrows(UnsupportedOperationException.class, () -> vocabulary.tokens().set(0, "x"));
    }

    @Test
    void builderCountsAWholeText() throws IOException {
        Path file = dir.resolve("ptb.txt");
        Files.writeString(file, " the cat <unk>\n the dog\n");
        VocabularyBuilder builder = VocabularyBuilder.count(TextSource.of(file),
                TokenizerSpec.parse("whitespace", false).tokenizer());
        assertEquals(7, builder.tokenCount());
        assertEquals(5, builder.distinctCount());
        Vocabulary vocabulary = builder.build(VocabularyLimits.NONE);
        assertEquals(List.of("<unk>", "<eos>", "the", "cat", "dog"), vocabulary.tokens());
        assertEquals(List.of(1L, 2L, 2L, 1L, 1L),
                List.of(vocabulary.count(0), vocabulary.count(1), vocabulary.count(2), vocabulary.count(3), vocabulary.count(4)));
    }

    @Test
    void fingerprintIsSha256OfLengthPrefixedTokens() throws Exception {
        Vocabulary vocabulary = Vocabulary.of(List.of("<unk>", "é"), new long[] {0, 1});
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(new byte[] {0, 0, 0, 5});
        digest.update("<unk>".getBytes(StandardCharsets.UTF_8));
        digest.update(new byte[] {0, 0, 0, 2, (byte) 0xC3, (byte) 0xA9});
        assertEquals(HexFormat.of().formatHex(digest.digest()), vocabulary.fingerprint());

        assertEquals(vocabulary.fingerprint(), Vocabulary.of(List.of("<unk>", "é"), new long[] {7, 9}).fingerprint());
        Vocabulary swapped = Vocabulary.of(List.of("<unk>", "a", "b"), new long[] {0, 1, 1});
        Vocabulary ordered = Vocabulary.of(List.of("<unk>", "b", "a"), new long[] {0, 1, 1});
        assertNotEquals(swapped.fingerprint(), ordered.fingerprint());
        assertNotEquals(Vocabulary.of(List.of("<unk>", "ab", "c"), new long[3]).fingerprint(),
                Vocabulary.of(List.of("<unk>", "a", "bc"), new long[3]).fingerprint());
    }

    @Test
    void savesAndLoadsTokensWithAnyCharacters() {
        Vocabulary vocabulary = Vocabulary.of(List.of("<unk>", "\n", "\t", "\\", "\"", "😀", " ", "a\u0000b"),
                new long[] {3, 10, 9, 8, 7, 6, 5, 1L << 40});
        Path file = dir.resolve("vocab.json");
        vocabulary.save(file);
        Vocabulary loaded = Vocabulary.load(file);
        assertEquals(vocabulary, loaded);
        assertEquals(vocabulary.fingerprint(), loaded.fingerprint());
        assertEquals(1L << 40, loaded.count(7));
        vocabulary.save(file); // overwrites
        assertEquals(vocabulary, Vocabulary.load(file));
    }

    @Test
    void ofRejectsBadContents() {
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("a", "<unk>"), new long[2]));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("<unk>", "a", "a"), new long[3]));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("<unk>", "a"), new long[] {0, -1}));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("<unk>", "a"), new long[3]));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of(), new long[0]));
    }

    @Test
    void loadNamesTheFileForEveryProblem() throws IOException {
        Path missing = dir.resolve("missing.json");
        assertEquals(missing + ": no such file", assertThrows(RnnException.class, () -> Vocabulary.load(missing)).getMessage());
        String ok = "\"format\":1,\"unk\":\"<unk>\"";
        assertLoadFails("{\"format\":1,", "not a vocabulary file: invalid JSON at line 1, column 13");
        assertLoadFails("[1,2]", "not a valid vocabulary file: expected a JSON object");
        assertLoadFails("", "not a valid vocabulary file: expected a JSON object");
        assertLoadFails("{\"format\":2,\"tokens\":[],\"counts\":[]}",
                "vocabulary format 2 is not supported (this rnn reads format 1)");
        assertLoadFails("{\"tokens\":[\"<unk>\"],\"counts\":[0]}", "not a valid vocabulary file: no \"format\" number");
        assertLoadFails("{" + ok + ",\"tokens\":[\"<unk>\",\"a\"],\"counts\":[0]}",
                "not a valid vocabulary file: 2 tokens but 1 counts");
        assertLoadFails("{" + ok + ",\"tokens\":[\"a\",\"<unk>\"],\"counts\":[0,0]}",
                "not a valid vocabulary file: the first token must be <unk>");
        assertLoadFails("{" + ok + ",\"tokens\":[\"<unk>\",\"a\",\"a\"],\"counts\":[0,1,1]}",
                "not a valid vocabulary file: tokens[2] repeats tokens[1]");
        assertLoadFails("{" + ok + ",\"tokens\":[\"<unk>\",\"a\"],\"counts\":[0,-1]}",
                "not a valid vocabulary file: counts[1] is negative");
        assertLoadFails("{" + ok + ",\"tokens\":[\"<unk>\",\"a\"],\"counts\":[0,1.5]}",
                "not a valid vocabulary file: counts[1] is not a whole number");
        assertLoadFails("{" + ok + ",\"tokens\":[\"<unk>\",3],\"counts\":[0,1]}",
                "not a valid vocabulary file: tokens[1] is not a string");
        assertLoadFails("{" + ok + ",\"tokens\":\"<unk>\",\"counts\":[0]}",
                "not a valid vocabulary file: \"tokens\" and \"counts\" must be arrays");
        assertLoadFails("{\"format\":1,\"unk\":\"UNK\",\"tokens\":[\"<unk>\"],\"counts\":[0]}",
                "not a valid vocabulary file: \"unk\" must be \"<unk>\"");
        assertLoadFails("{" + ok + ",\"size\":3,\"tokens\":[\"<unk>\",\"a\"],\"counts\":[0,1]}",
                "not a valid vocabulary file: \"size\" is 3 but there are 2 tokens");
        assertLoadFails("{" + ok + ",\"sha256\":\"00\",\"tokens\":[\"<unk>\",\"a\"],\"counts\":[0,1]}",
                "not a valid vocabulary file: the tokens do not match its \"sha256\" (was the file edited?)");
    }

    @Test
    void loadAcceptsAMinimalFile() throws IOException {
        Path file = dir.resolve("min.json");
        Files.writeString(file, "{\"format\":1,\"tokens\":[\"<unk>\",\"a\"],\"counts\":[0,2]}");
        assertEquals(Vocabulary.of(List.of("<unk>", "a"), new long[] {0, 2}), Vocabulary.load(file));
    }

    private void assertLoadFails(String content, String expectedMessage) throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, content);
        RnnException error = assertThrows(RnnException.class, () -> Vocabulary.load(file));
        assertEquals(file + ": " + expectedMessage, error.getMessage());
    }
}
