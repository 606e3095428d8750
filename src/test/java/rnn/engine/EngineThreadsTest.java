package rnn.engine;

import rnn.engine.kernel.EngineThreads;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Parallel callers of {@link EngineThreads#inParallel} on one engine thread (rnn serve's requests) never wait for each other. */
class EngineThreadsTest {
    @Test
    void oneThreadCallersRunAtTheSameTime() throws Exception {
        int before = EngineThreads.configured();
        EngineThreads.set(1);
        try {
            CountDownLatch bothInside = new CountDownLatch(2);
            boolean[] met = new boolean[2];
            Thread[] callers = new Thread[2];
            for (int c = 0; c < 2; c++) {
                int caller = c;
                callers[c] = new Thread(() -> EngineThreads.inParallel(2, part -> {
                    if (part == 0) {
                        bothInside.countDown();
                        try {
                            met[caller] = bothInside.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }));
                callers[c].start();
            }
            for (Thread caller : callers) {
                caller.join();
            }
            assertTrue(met[0] && met[1], "each caller was inside while the other was");
        } finally {
            EngineThreads.set(before);
        }
    }
}
