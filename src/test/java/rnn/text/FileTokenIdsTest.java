package rnn.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index arithmetic past 2^31 tokens, in seconds: a sparse file of 2^31 + 2^20 ids (8 GiB that
 * occupy a few pages on disk), read in blocks of 4 KiB, with known ids written only where read.
 * Every id is its position modulo 2^20 plus one (zero elsewhere), so a wrong offset reads a wrong value.
 */
class FileTokenIdsTest {
    private static final long SIZE = (1L << 31) + (1L << 20);
    private static final int BLOCK = 4096;
    private static final long IDS_PER_BLOCK = BLOCK / Integer.BYTES;
    private static final long OFFSET = 8; // the cache's magic comes first

    @TempDir
    Path temp;

    @Test
    void readsPastTwoToThe31AcrossBlockBorders() throws IOException {
        try (FileChannel channel = sparseFile()) {
            long border = 524_289 * IDS_PER_BLOCK; // a block border just past 2^31
            long[] positions = {0, IDS_PER_BLOCK - 1, IDS_PER_BLOCK, Integer.MAX_VALUE - 1L, Integer.MAX_VALUE,
                    1L << 31, border - 1, border, SIZE - 1};
            for (long position : positions) {
                put(channel, position);
            }
            TokenIds ids = new FileTokenIds(channel, OFFSET, SIZE, BLOCK);
            assertEquals(SIZE, ids.size());
            for (long position : positions) {
                assertEquals(expected(position), ids.get(position), "id at " + position);
            }
            assertThrows(IndexOutOfBoundsException.class, () -> ids.get(SIZE));
            assertThrows(IndexOutOfBoundsException.class, () -> ids.get(-1));

            TokenSpan tail = new TokenSpan(ids, 1L << 31, SIZE);
            assertEquals(1L << 20, tail.length());
            assertEquals(expected(1L << 31), tail.get(0));
            assertEquals(expected(SIZE - 1), tail.get(tail.length() - 1));
        }
    }

    @Test
    void windowsAndStreamsCountAndFillPastTwoToThe31() throws IOException {
        try (FileChannel channel = sparseFile()) {
            TokenIds ids = new FileTokenIds(channel, OFFSET, SIZE, BLOCK);

            // Windows of 3 every 1000 tokens: (n - 3 - 1) / 1000 + 1 of them, the last starting past 2^31.
            Windows windows = new Windows(TokenSpan.of(ids), 3, 1000);
            long count = (SIZE - 4) / 1000 + 1;
            assertEquals(count, windows.count());
            long last = count - 1;
            long start = last * 1000;
            assertTrue(start > Integer.MAX_VALUE);
            for (long p = start; p <= start + 3; p++) {
                put(channel, p);
            }
            int[] inputs = new int[3];
            int[] targets = new int[3];
            windows.fill(WindowOrder.identity(count), last, 1, inputs, targets, false);
            for (int t = 0; t < 3; t++) {
                assertEquals(expected(start + t), inputs[t], "input " + t);
                assertEquals(expected(start + t + 1), targets[t], "target " + t);
            }
            assertEquals(expected(start + 3), windows.next(last));

            // Two streams: stream 1 starts at L = n / 2 > 2^30; its chunk k starts at L + k*W.
            StreamBatches streams = new StreamBatches(TokenSpan.of(ids), 2, 1 << 20);
            long streamLength = SIZE / 2;
            assertEquals(streamLength, streams.streamLength());
            assertEquals((int) ((streamLength - 2) / (1 << 20) + 1), streams.chunkCount());
            int chunk = streams.chunkCount() - 1;
            long second = streamLength + (long) chunk * (1 << 20); // stream 1's last chunk, past 2^31
            assertTrue(second > Integer.MAX_VALUE);
            put(channel, second);
            put(channel, second + 1);
            int steps = streams.chunkLength(chunk);
            int[] streamInputs = new int[2 * steps];
            int[] streamTargets = new int[2 * steps];
            assertEquals(steps, streams.fill(chunk, streamInputs, streamTargets));
            assertEquals(expected(second), streamInputs[1], "time 0, stream 1");
            assertEquals(expected(second + 1), streamTargets[1]);

            // A shuffled order of more than 2^31 windows stays within them and does not repeat.
            long many = 3L << 30; // a third of them past 2^31
            WindowOrder order = WindowOrder.shuffled(many, 3, 1);
            Set<Long> seen = new HashSet<>();
            boolean beyond = false;
            for (long i = 0; i < 10_000; i++) {
                long w = order.at(many - 1 - i);
                assertTrue(w >= 0 && w < many, "window " + w);
                assertTrue(seen.add(w), "window " + w + " twice");
                beyond |= w > Integer.MAX_VALUE;
            }
            assertTrue(beyond, "some windows past 2^31");
            assertNotEquals(order.at(0), WindowOrder.shuffled(many, 3, 2).at(0));
        }
    }

    @Test
    void threadsReadingTheSameIdsEachSeeTheirOwnIds() throws Exception {
        int size = 50_000;
        ByteBuffer bytes = ByteBuffer.allocate(Integer.BYTES * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < size; i++) {
            bytes.putInt(i * Integer.BYTES, expected(i));
        }
        try (FileChannel channel = FileChannel.open(temp.resolve("small"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.write(bytes, OFFSET);
            // 16-byte blocks: nearly every read misses, so the threads keep replacing each other's blocks.
            TokenIds ids = new FileTokenIds(channel, OFFSET, size, 16);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Long>> wrong = new ArrayList<>();
                for (int thread = 0; thread < 4; thread++) {
                    Random random = new Random(thread);
                    wrong.add(pool.submit(() -> {
                        long mismatches = 0;
                        for (int n = 0; n < 200_000; n++) {
                            long position = random.nextInt(size);
                            mismatches += ids.get(position) == expected(position) ? 0 : 1;
                        }
                        return mismatches;
                    }));
                }
                for (Future<Long> mismatches : wrong) {
                    assertEquals(0L, mismatches.get(), "ids read wrong by one thread");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private FileChannel sparseFile() throws IOException {
        FileChannel channel = FileChannel.open(temp.resolve("ids"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
        channel.write(ByteBuffer.allocate(4), OFFSET + SIZE * Integer.BYTES - 4); // sets the length, allocates one page
        return channel;
    }

    private static void put(FileChannel channel, long position) throws IOException {
        ByteBuffer id = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, expected(position));
        channel.write(id, OFFSET + position * Integer.BYTES);
    }

    private static int expected(long position) {
        return (int) (position % (1 << 20)) + 1;
    }
}
