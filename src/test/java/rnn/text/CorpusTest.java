package rnn.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
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

class CorpusTest {
    private static final Tokenizer WHITESPACE = TokenizerSpec.parse("whitespace", false).tokenizer();
    private static final String TEXT = "the cat sat\non the mat\n<unk> the end\n";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static TextSource stdin(String text) {
        return TextSource.of(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "stdin");
    }

    @Test
    void encodesWithItsOwnVocabulary() throws Exception {
        Path file = write("train.txt", TEXT);
        Corpus corpus = Corpus.read(TextSource.of(file), WHITESPACE, VocabularyLimits.NONE);
        // <unk>:1, <eos>:3, the:3, cat, end, mat, on, sat (all 1)
        assertEquals(List.of("<unk>", "<eos>", "the", "cat", "end", "mat", "on", "sat"), corpus.vocabulary().tokens());
        assertArrayEquals(new int[] {2, 3, 7, 1, 6, 2, 5, 1, 0, 2, 4, 1}, corpus.ids());
        assertEquals(12, corpus.size());
        assertEquals(1, corpus.unknownCount());
        assertEquals(file.toString(), corpus.name());
        String expectedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertEquals(expectedSha, corpus.sha256());
    }

    @Test
    void onePassFromStdinEqualsTwoPassesOverAFile() throws IOException {
        String text = "b a c a b a d\ne e e f\n".repeat(50) + "rare\n";
        Path file = write("t.txt", text);
        VocabularyLimits limits = new VocabularyLimits(2, 5);
        Vocabulary twoPassVocabulary = VocabularyBuilder.count(TextSource.of(file), WHITESPACE).build(limits);
        Corpus twoPass = Corpus.read(TextSource.of(file), WHITESPACE, twoPassVocabulary);
        Corpus onePass = Corpus.read(stdin(text), WHITESPACE, limits);
        assertEquals(twoPassVocabulary, onePass.vocabulary());
        assertArrayEquals(twoPass.ids(), onePass.ids());
        assertEquals(twoPass.unknownCount(), onePass.unknownCount());
        assertEquals(twoPass.sha256(), onePass.sha256());
        assertEquals(List.of("<unk>", "a", "e", "<eos>", "b"), onePass.vocabulary().tokens());
        assertEquals(50 * 3 + 1, onePass.unknownCount(), "c, d, f and rare");
    }

    @Test
    void validationTextUsesTheTrainingVocabulary() {
        Corpus train = Corpus.read(stdin(TEXT), WHITESPACE, VocabularyLimits.NONE);
        Corpus valid = Corpus.read(stdin("the dog sat\n"), WHITESPACE, train.vocabulary());
        assertSame(train.vocabulary(), valid.vocabulary());
        assertArrayEquals(new int[] {2, 0, 7, 1}, valid.ids());
        assertEquals(1, valid.unknownCount());
    }

    @Test
    void emptyTextsAreErrorsNamingTheInput() throws IOException {
        Path empty = write("empty.txt", "\n\n");
        RnnException error = assertThrows(RnnException.class,
                () -> Corpus.read(TextSource.of(empty), TokenizerSpec.WORD.tokenizer(), VocabularyLimits.NONE));
        assertEquals(empty + ": no tokens (is it empty?)", error.getMessage());
        error = assertThrows(RnnException.class, () -> Corpus.read(stdin("<unk> <unk>"), TokenizerSpec.WORD.tokenizer(),
                VocabularyLimits.NONE));
        assertEquals("stdin: no tokens besides <unk> to build a vocabulary from", error.getMessage());
        assertThrows(InvalidConfigException.class, () -> Corpus.read(stdin("a b"), WHITESPACE, new VocabularyLimits(5, 9)));
    }

    @Test
    void splitKeepsTheLastFractionForValidationLikeKeras() {
        int[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Split split = Split.lastFraction(ids, 0.25);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, split.train().toArray());
        assertArrayEquals(new int[] {7, 8, 9}, split.validation().toArray());
        assertSame(ids, ((TokenIds.ArrayIds) split.train().ids()).array(), "spans share the array");
        assertEquals(7, split.validation().from());

        Split none = Split.lastFraction(ids, 0);
        assertEquals(10, none.train().length());
        assertEquals(0, none.validation().length());
        assertEquals(9, Split.lastFraction(ids, 0.1).train().length());
        assertEquals(0, Split.lastFraction(ids, 0.99).train().length());
    }

    @Test
    void splitFractionMustBeInRange() {
        int[] ids = new int[10];
        for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            InvalidConfigException error = assertThrows(InvalidConfigException.class, () -> Split.lastFraction(ids, bad));
            assertEquals("--validation-split must be at least 0 and below 1, got " + bad, error.getMessage());
        }
    }

    @Test
    void corpusSplitAndSpans() {
        Corpus corpus = Corpus.read(stdin("a b c d e f g h i j"), TokenizerSpec.WORD.tokenizer(), VocabularyLimits.NONE);
        Split split = corpus.split(0.2);
        assertEquals(8, split.train().length());
        assertEquals(corpus.ids()[8], split.validation().get(0));
        assertEquals(10, corpus.all().length());
        assertThrows(IndexOutOfBoundsException.class, () -> split.validation().get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> new TokenSpan(new int[3], 2, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> new TokenSpan(new int[3], 2, 1));
    }

    @Test
    void intArrayGrowsWithoutLosingValues() {
        IntArray array = new IntArray(1);
        for (int i = 0; i < 100_000; i++) {
            array.add(i * 3);
        }
        assertEquals(100_000, array.size());
        assertEquals(299_997, array.get(99_999));
        array.increment(5);
        array.set(6, -1);
        int[] values = array.trimmed();
        assertEquals(100_000, values.length);
        assertEquals(16, values[5]);
        assertEquals(-1, values[6]);
        assertThrows(IndexOutOfBoundsException.class, () -> array.get(100_000));
        assertThrows(IndexOutOfBoundsException.class, () -> new IntArray().get(0));
    }
}
