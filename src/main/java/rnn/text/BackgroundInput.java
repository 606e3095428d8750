package rnn.text;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Input that may block for ever (stdin, a FIFO: opening one waits for a writer, reading waits for
 * data), opened and read on a daemon thread. The reading thread waits on a queue instead, so
 * {@link #close} from another thread (Ctrl-C) ends a read at once: no signal or close reliably
 * wakes a thread blocked in read(2) on a pipe. A thread still blocked when the work is abandoned
 * is a daemon and dies with the JVM.
 */
final class BackgroundInput extends InputStream {
    /** Opens the input on the background thread. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    private static final int CHUNK = 1 << 16;
    private static final byte[] END = new byte[0];
    private static final long POLL_MILLIS = 50;

    private final BlockingQueue<Object> chunks = new ArrayBlockingQueue<>(4);
    private volatile boolean closed;
    private byte[] current;
    private int position;

    BackgroundInput(Opener opener, String name) {
        Thread pump = new Thread(() -> pump(opener), "rnn-read " + name);
        pump.setDaemon(true);
        pump.start();
    }

    private void pump(Opener opener) {
        try (InputStream in = opener.open()) {
            while (!closed) {
                byte[] buffer = new byte[CHUNK];
                int n = in.read(buffer);
                if (n < 0) {
                    hand(END);
                    return;
                }
                if (n > 0) {
                    hand(n == CHUNK ? buffer : Arrays.copyOf(buffer, n));
                }
            }
        } catch (IOException | RuntimeException e) {
            hand(e);
        }
    }

    private void hand(Object chunk) {
        try {
            while (!closed && !chunks.offer(chunk, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                // the reader is slow: wait
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || position == current.length && current != END) {
            Object next;
            try {
                next = chunks.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            if (closed) {
                throw new IOException("closed");
            }
            if (next instanceof IOException e) {
                throw e;
            }
            if (next instanceof RuntimeException e) {
                throw e;
            }
            if (next != null) {
                current = (byte[]) next;
                position = 0;
            }
        }
        if (current == END) {
            return -1;
        }
        int n = Math.min(length, current.length - position);
        System.arraycopy(current, position, bytes, offset, n);
        position += n;
        return n;
    }

    /** Safe from any thread: a read waiting for data ends with an IOException within {@value #POLL_MILLIS} ms. */
    @Override
    public void close() {
        closed = true;
    }
}
