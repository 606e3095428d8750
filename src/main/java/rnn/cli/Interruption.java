package rnn.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C for long commands: a shutdown hook raises a flag the work checks between steps, then
 * waits (bounded) until the command has saved and returned. The JVM then exits with status 130.
 */
final class Interruption {
    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static final CountDownLatch COMMAND_DONE = new CountDownLatch(1);
    private static final long GRACE_SECONDS = 120;

    private Interruption() {
    }

    /** Installs the hook once; returns the flag to poll. */
    static AtomicBoolean watch() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            REQUESTED.set(true);
            try {
                COMMAND_DONE.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rnn-interrupt"));
        return REQUESTED;
    }

    /** Called by Main once the command returned, so a waiting hook lets the JVM exit. */
    static void commandFinished() {
        COMMAND_DONE.countDown();
    }
}
