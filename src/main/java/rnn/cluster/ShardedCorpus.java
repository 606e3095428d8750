package rnn.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

import rnn.RnnException;
import rnn.text.IntArray;
import rnn.text.Tokenizer;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;
import rnn.text.VocabularyBuilder;
import rnn.text.VocabularyLimits;
import scala.Tuple2;

/**
 * A corpus read by the cluster: its vocabulary counted where the text lies, its token ids cut into
 * contiguous shards, one per worker and each held by the worker that trains on it, and the held-out
 * tail for validation brought to the driver.
 *
 * <p>The text is read as Spark reads text files (a line ends at LF, CRLF or CR, each line is
 * tokenized with the run's tokenizer, the line-end token after it), so for a valid UTF-8 text the
 * tokens, the vocabulary and the ids are exactly those of a single-machine run. For training
 * tokens t_0..t_{n-1} and W workers, worker w gets t_{wn/W} .. t_{(w+1)n/W - 1}: windows and
 * streams stay whole within a shard, and only the few that would span two shards are lost.
 */
final class ShardedCorpus {
    private ShardedCorpus() {
    }

    /** The lines of a text in order, as the cluster reads them. */
    static JavaRDD<String> lines(JavaSparkContext spark, String path) {
        return spark.textFile(path);
    }

    /**
     * The vocabulary of {@code lines}, counted with a distributed word count: the same tokens,
     * counts, cut-offs and ids as {@link VocabularyBuilder#build} on one machine.
     */
    static Vocabulary countVocabulary(JavaRDD<String> lines, String tokenizer, boolean lowercase,
                                      VocabularyLimits limits, String name) {
        List<Tuple2<String, Long>> counts = lines.mapPartitionsToPair(part -> {
            Tokenizer tokens = TokenizerSpec.parse(tokenizer, lowercase).tokenizer();
            String lineEnd = tokens.lineEndToken().orElse(null);
            Map<String, Long> local = new HashMap<>();
            while (part.hasNext()) {
                tokens.tokenize(part.next(), token -> {
                    local.merge(token, 1L, Long::sum);
                    return true;
                });
                if (lineEnd != null) {
                    local.merge(lineEnd, 1L, Long::sum);
                }
            }
            List<Tuple2<String, Long>> out = new ArrayList<>(local.size());
            local.forEach((token, count) -> out.add(new Tuple2<>(token, count)));
            return out.iterator();
        }).reduceByKey(Long::sum).collect();
        VocabularyBuilder builder = new VocabularyBuilder();
        for (Tuple2<String, Long> entry : counts) {
            builder.add(entry._1(), entry._2());
        }
        try {
            return builder.build(limits);
        } catch (rnn.InvalidConfigException e) {
            throw e;
        } catch (RnnException e) {
            throw new RnnException(name + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of each partition of {@code lines}, one array per partition, in text order. */
    static JavaRDD<int[]> encode(JavaSparkContext spark, JavaRDD<String> lines, String tokenizer, boolean lowercase,
                                 Vocabulary vocabulary) {
        Broadcast<String[]> tokens = spark.broadcast(vocabulary.tokens().toArray(new String[0]));
        return lines.mapPartitions(part -> {
            String[] known = tokens.value();
            Map<String, Integer> ids = new HashMap<>(known.length * 4 / 3 + 1);
            for (int id = 0; id < known.length; id++) {
                ids.put(known[id], id);
            }
            Tokenizer tokenize = TokenizerSpec.parse(tokenizer, lowercase).tokenizer();
            String lineEnd = tokenize.lineEndToken().orElse(null);
            IntArray encoded = new IntArray(1 << 12);
            while (part.hasNext()) {
                tokenize.tokenize(part.next(), token -> {
                    encoded.add(ids.getOrDefault(token, Vocabulary.UNKNOWN_ID));
                    return true;
                });
                if (lineEnd != null) {
                    encoded.add(ids.getOrDefault(lineEnd, Vocabulary.UNKNOWN_ID));
                }
            }
            return List.of(encoded.trimmed()).iterator();
        });
    }

    /** Where each partition's ids start in the whole text, and (last) the text's length. */
    static long[] offsets(JavaRDD<int[]> encoded) {
        List<Integer> lengths = encoded.map(ids -> ids.length).collect();
        long[] offsets = new long[lengths.size() + 1];
        for (int p = 0; p < lengths.size(); p++) {
            offsets[p + 1] = offsets[p] + lengths.get(p);
        }
        return offsets;
    }

    /**
     * Tokens [0, trainTokens) cut into {@code workers} contiguous shards: partition w of the result
     * holds one array, worker w's shard. Kept in memory; a lost one is rebuilt from the text.
     */
    static JavaRDD<int[]> shards(JavaRDD<int[]> encoded, long[] offsets, long trainTokens, int workers) {
        JavaPairRDD<Integer, Tuple2<Long, int[]>> pieces = encoded.mapPartitionsWithIndex((p, part) -> {
            int[] ids = part.next();
            List<Tuple2<Integer, Tuple2<Long, int[]>>> out = new ArrayList<>();
            long start = offsets[p];
            for (int w = 0; w < workers; w++) {
                long from = Math.max(start, shardStart(w, trainTokens, workers));
                long to = Math.min(start + ids.length, shardStart(w + 1, trainTokens, workers));
                if (from < to) {
                    int[] piece = java.util.Arrays.copyOfRange(ids, (int) (from - start), (int) (to - start));
                    out.add(new Tuple2<>(w, new Tuple2<>(from, piece)));
                }
            }
            return out.iterator();
        }, true).mapToPair(t -> t);
        return pieces.partitionBy(new HashPartitioner(workers)).mapPartitionsWithIndex((w, part) -> {
            List<Tuple2<Long, int[]>> found = new ArrayList<>();
            part.forEachRemaining(t -> found.add(t._2()));
            found.sort((a, b) -> Long.compare(a._1(), b._1()));
            long from = shardStart(w, trainTokens, workers);
            int[] shard = new int[(int) (shardStart(w + 1, trainTokens, workers) - from)];
            long expected = from;
            for (Tuple2<Long, int[]> piece : found) {
                if (piece._1() != expected) {
                    throw new IllegalStateException("shard " + w + ": piece at " + piece._1() + ", expected " + expected);
                }
                System.arraycopy(piece._2(), 0, shard, (int) (expected - from), piece._2().length);
                expected += piece._2().length;
            }
            return List.of(shard).iterator();
        }, true).persist(StorageLevel.MEMORY_ONLY());
    }

    /** The ids [from, to) brought to the driver (the validation tail). */
    static int[] collectRange(JavaRDD<int[]> encoded, long[] offsets, long from, long to) {
        List<Tuple2<Long, int[]>> pieces = encoded.mapPartitionsWithIndex((p, part) -> {
            int[] ids = part.next();
            long start = offsets[p];
            long a = Math.max(start, from);
            long b = Math.min(start + ids.length, to);
            Iterator<Tuple2<Long, int[]>> none = java.util.Collections.emptyIterator();
            return a < b ? List.of(new Tuple2<>(a, java.util.Arrays.copyOfRange(ids, (int) (a - start), (int) (b - start))))
                    .iterator() : none;
        }, true).collect();
        int[] range = new int[Math.toIntExact(to - from)];
        for (Tuple2<Long, int[]> piece : pieces) {
            System.arraycopy(piece._2(), 0, range, (int) (piece._1() - from), piece._2().length);
        }
        return range;
    }

    /** The first token of shard w (w = workers gives the end). */
    static long shardStart(int w, long trainTokens, int workers) {
        return trainTokens * w / workers;
    }
}
