package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.checkpoint.ModelStore;
import rnn.text.TokenCache;
import rnn.train.ResumeChanges;
import rnn.train.RunConfig;
import rnn.train.TrainConfig;
import rnn.train.TrainConfigBuilder;
import rnn.train.TrainingListener;

/**
 * Training from the memory-mapped token cache is training from memory: the same weights, bit for
 * bit, whether the cache was just written or reused, and as a run that read the text from stdin
 * (which is encoded in memory).
 */
class TokenCacheTrainingTest {
    @TempDir
    Path temp;

    @ParameterizedTest(name = "stateful={0}")
    @ValueSource(booleans = {false, true})
    void trainingFromTheCacheTwiceAndFromMemoryGivesTheSameWeights(boolean stateful) throws IOException {
        Path corpus = corpus();
        Path cached = temp.resolve("cached");
        Training.start(config(corpus, cached, stateful), false, new TrainingListener() { }, () -> false);
        Path cache = cached.resolve(TokenCache.FILE_NAME);
        assertTrue(Files.isRegularFile(cache), "the run wrote " + cache);
        Object written = inode(cache);
        Map<String, float[]> fromNewCache = weights(cached);

        Training.start(config(corpus, cached, stateful), true, new TrainingListener() { }, () -> false);
        assertEquals(written, inode(cache), "the second run reused the cache");
        Map<String, float[]> fromReusedCache = weights(cached);

        Path memory = temp.resolve("memory");
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(Files.readAllBytes(corpus)));
            Training.start(config(Path.of("-"), memory, stateful), false, new TrainingListener() { }, () -> false);
        } finally {
            System.setIn(stdin);
        }
        assertTrue(Files.notExists(memory.resolve(TokenCache.FILE_NAME)), "stdin is encoded in memory");
        Map<String, float[]> fromMemory = weights(memory);

        assertEquals(fromMemory.keySet(), fromNewCache.keySet());
        for (String name : fromMemory.keySet()) {
            assertArrayEquals(fromMemory.get(name), fromNewCache.get(name), name + ": new cache against memory");
            assertArrayEquals(fromMemory.get(name), fromReusedCache.get(name), name + ": reused cache against memory");
        }
    }

    /** The cache is no part of the model: a copy without it resumes, re-encoding the text, exactly as the original. */
    @org.junit.jupiter.api.Test
    void aModelDirectoryCopiedWithoutTheCacheResumesLikeTheOriginal() throws IOException {
        Path corpus = corpus();
        Path original = temp.resolve("original");
        Training.start(config(corpus, original, false), false, new TrainingListener() { }, () -> false);
        Path copy = Files.createDirectories(temp.resolve("copy"));
        try (var files = Files.list(original)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.equals(TokenCache.FILE_NAME) && !name.startsWith(".")) {
                    Files.copy(file, copy.resolve(name));
                }
            }
        }
        Training.resume(original, ResumeChanges.epochs(3), run(original), new TrainingListener() { }, () -> false);
        Training.resume(copy, ResumeChanges.epochs(3), run(copy), new TrainingListener() { }, () -> false);
        assertTrue(Files.isRegularFile(copy.resolve(TokenCache.FILE_NAME)), "the resumed copy encoded the text again");
        Map<String, float[]> expected = weights(original);
        Map<String, float[]> actual = weights(copy);
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), name);
        }
    }

    private static RunConfig run(Path directory) {
        return new RunConfig(directory.toString(), 0, 0, 0);
    }

    private static Map<String, float[]> weights(Path directory) {
        Map<String, float[]> weights = new TreeMap<>();
        for (Map.Entry<String, INDArray> tensor : ModelStore.load(directory).model().parameters().values().entrySet()) {
            weights.put(tensor.getKey(), tensor.getValue().dup().data().asFloat());
        }
        return weights;
    }

    private Path corpus() throws IOException {
        StringBuilder text = new StringBuilder();
        String[] lines = {"the cat sat on the mat .", "a dog ran in the park .", "mary had a little lamb .",
                "the sun is warm today .", "we walked to the old mill ."};
        for (int i = 0; i < 40; i++) {
            text.append(lines[(i * 7) % lines.length]).append('\n');
        }
        Path file = temp.resolve("corpus.txt");
        Files.writeString(file, text);
        return file;
    }

    /** Shuffled windows over two epochs (or carried streams), a validation split, dropout: every path that reads ids. */
    private static TrainConfig config(Path corpus, Path output, boolean stateful) {
        return TrainConfigBuilder.tiny(corpus, output).validationSplit(0.2).window(5).stride(stateful ? 5 : 2)
                .stateful(stateful).hidden(10).embedding(6).dropout(0.1).epochs(2).optimizer("adam").lr(0.01)
                .seed(11).build();
    }

    private static Object inode(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
