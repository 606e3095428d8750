package rnn.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import rnn.text.LineReader;

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

    /** Installs the hook for the duration of a command; returns the flag to poll. Pair with {@link #stopWatching}. */
    static AtomicBoolean watch() {
        Runtime.getRuntime().addShutdownHook(HOOK);
        return REQUESTED;
    }

    /** Whether Ctrl-C has been pressed during a watched command. */
    static boolean requested() {
        return REQUESTED.get();
    }

    /** The command returned normally: remove the hook so exit never waits. During a Ctrl-C shutdown it stays. */
    static void stopWatching() {
        try {
            Runtime.getRuntime().removeShutdownHook(HOOK);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrAbsent) {
            // Ctrl-C: the hook waits for commandFinished().
        }
    }

    /** Called by Main once the command's last words are written, so a waiting hook lets the JVM exit. */
    static void commandFinished() {
        COMMAND_DONE.countDown();
    }

    private static final Thread HOOK = new Thread(() -> {
            REQUESTED.set(true);
            LineReader.abortAll(); // a command blocked reading stdin or a FIFO never polls the flag
            try {
                COMMAND_DONE.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rnn-interrupt");
}
