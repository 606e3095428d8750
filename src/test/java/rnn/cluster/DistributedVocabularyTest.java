package rnn.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.text.Corpus;
import rnn.text.TextSource;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;
import rnn.text.VocabularyBuilder;
import rnn.text.VocabularyLimits;

/**
 * The vocabulary counted by Spark (the text cut into several partitions) equals the one counted
 * on one machine, token for token and count for count, for each tokenizer and cut-off; and the
 * ids the cluster encodes, cut into shards and a validation tail, are the single-machine ids.
 */
class DistributedVocabularyTest {
    private static final Path SAMPLE = Path.of("corpora/sample.txt");
    private static JavaSparkContext spark;

    @TempDir
    Path temp;

    @BeforeAll
    static void startSpark() {
        spark = ClusterTraining.connect("local[2]");
    }

    @AfterAll
    static void stopSpark() {
        spark.close();
    }

    @Test
    void sampleCorpusVocabularyEqualsSingleMachine() {
        for (String tokenizer : List.of("word", "whitespace", "char")) {
            for (VocabularyLimits limits : tokenizer.equals("char") ? List.of(VocabularyLimits.NONE)
                    : List.of(VocabularyLimits.NONE, new VocabularyLimits(3, 500))) {
                Vocabulary single = VocabularyBuilder.build(TextSource.of(SAMPLE),
                        TokenizerSpec.parse(tokenizer, false).tokenizer(), limits);
                Vocabulary cluster = ShardedCorpus.countVocabulary(lines(SAMPLE), tokenizer, false, limits, "sample");
                assertEquals(single.tokens(), cluster.tokens(), tokenizer + " " + limits);
                for (int id = 0; id < single.size(); id++) {
                    assertEquals(single.count(id), cluster.count(id), tokenizer + " " + limits + " " + single.token(id));
                }
                assertEquals(single.fingerprint(), cluster.fingerprint());
            }
        }
    }

    @Test
    void crlfAndCrLineEndsAndNoFinalNewline() throws IOException {
        Path text = temp.resolve("mixed.txt");
        Files.writeString(text, "the cat sat\r\non the mat\rthe dog\n\nran away");
        Vocabulary single = VocabularyBuilder.build(TextSource.of(text),
                TokenizerSpec.parse("whitespace", false).tokenizer(), VocabularyLimits.NONE);
        Vocabulary cluster = ShardedCorpus.countVocabulary(lines(text), "whitespace", false, VocabularyLimits.NONE, "t");
        assertEquals(single.tokens(), cluster.tokens());
        assertEquals(single.count(single.id("<eos>")), cluster.count(cluster.id("<eos>")));
    }

    @Test
    void shardsAndValidationTailHoldTheSingleMachineIds() {
        Vocabulary vocabulary = ShardedCorpus.countVocabulary(lines(SAMPLE), "word", false, VocabularyLimits.NONE, "s");
        int[] single = Corpus.read(TextSource.of(SAMPLE), TokenizerSpec.parse("word", false).tokenizer(), vocabulary).ids();
        JavaRDD<int[]> encoded = ShardedCorpus.encode(spark, lines(SAMPLE), "word", false, vocabulary);
        long[] offsets = ShardedCorpus.offsets(encoded);
        assertEquals(single.length, offsets[offsets.length - 1]);
        int trainTokens = single.length - 1000;
        List<int[]> shards = ShardedCorpus.shards(encoded, offsets, trainTokens, 3).collect();
        assertEquals(3, shards.size());
        int from = 0;
        for (int w = 0; w < 3; w++) {
            int to = (int) ShardedCorpus.shardStart(w + 1, trainTokens, 3);
            assertArrayEquals(java.util.Arrays.copyOfRange(single, from, to), shards.get(w), "shard " + w);
            from = to;
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(single, trainTokens, single.length),
                ShardedCorpus.collectRange(encoded, offsets, trainTokens, single.length));
        assertTrue(encoded.getNumPartitions() >= 4, "the text was read in several partitions");
    }

    private static JavaRDD<String> lines(Path text) {
        return spark.textFile(text.toString(), 4);
    }
}
