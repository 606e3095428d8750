package rnn.checkpoint;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import rnn.RnnException;

/**
 * Writes files atomically and durably: readers see either the old content or the complete new
 * content, never a partial file, and the new content survives a crash once a write returns.
 *
 * <p>The content goes to a temporary file in the target's directory (so the final rename stays on
 * one file system), is forced to disk, renamed over the target with {@code ATOMIC_MOVE}, and then
 * the directory itself is forced so the rename is durable too. A failed write deletes the
 * temporary file and leaves any previous target untouched. Missing parent directories are created.
 */
public final class AtomicFiles {
    private static final int BUFFER_BYTES = 1 << 16;
    /** {@link #tempNameFor}: ".", the target's name, ".", 16 hex digits, ".tmp". */
    private static final Pattern TEMPORARY_NAME = Pattern.compile("\\..+\\.[0-9a-f]{16}\\.tmp");

    /** Produces the content of a file; the stream is buffered and must not be closed by the callback. */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * The three calls that make a write durable and atomic, behind one seam so that a test can see
     * them happen, in order, for every file ({@link #useDurability}); nothing else replaces them.
     */
    interface Durability {
        /** Forces the temporary file's content to disk before it may replace the target. */
        default void sync(FileChannel channel, Path temp) throws IOException {
            channel.force(true);
        }

        /** Replaces the target in one step: readers see the old file or the new one. */
        default void rename(Path temp, Path target) throws IOException {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        /** Forces the directory, so the rename itself survives a crash. */
        default void syncDirectory(Path directory) {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException | UnsupportedOperationException e) {
                // Some systems (Windows) cannot open or sync a directory; the rename has still happened.
            }
        }
    }

    private static volatile Durability durability = new Durability() { };

    /**
     * For scripts/kill-test.sh --in-save: a pause after each file's content is written and before
     * it is synced and renamed, so that a kill -9 can be aimed inside a save. 0 (no pause) unless
     * the JVM is started with -Drnn.savePauseMillis=N.
     */
    private static final long SAVE_PAUSE_MILLIS = Long.getLong("rnn.savePauseMillis", 0);

    /** For tests: routes every later write through {@code replacement}; returns the one it replaces. */
    static Durability useDurability(Durability replacement) {
        Durability previous = durability;
        durability = replacement;
        return previous;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with exactly {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Replaces {@code target} with whatever {@code content} writes. An {@link IOException} (or
     * {@link UncheckedIOException}) becomes an {@link RnnException} naming the file; any other
     * exception from the callback propagates unchanged. Either way the previous target is intact.
     */
    public static void write(Path target, ContentWriter content) {
        Path absoluteTarget = target.toAbsolutePath();
        Path directory = absoluteTarget.getParent();
        Path temp = null;
        try {
            Files.createDirectories(directory);
            temp = directory.resolve(tempNameFor(absoluteTarget));
            // CREATE_NEW with default permissions (unlike Files.createTempFile, which makes it 0600).
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
                content.writeTo(new UnclosableStream(buffered));
                buffered.flush();
                pauseForKillTest();
                durability.sync(channel, temp);
            }
            durability.rename(temp, absoluteTarget);
            temp = null;
            durability.syncDirectory(directory);
        } catch (IOException e) {
            throw new RnnException("cannot write " + target + ": " + describe(e), e);
        } catch (UncheckedIOException e) {
            throw new RnnException("cannot write " + target + ": " + describe(e.getCause()), e);
        } finally {
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    /** Deletes {@code target} if it exists, durably (the directory is forced afterwards). */
    public static void delete(Path target) {
        try {
            if (Files.deleteIfExists(target)) {
                durability.syncDirectory(target.toAbsolutePath().getParent());
            }
        } catch (IOException e) {
            throw new RnnException("cannot delete " + target + ": " + describe(e), e);
        }
    }

    /**
     * Refuses anything but a regular file before it is opened for reading: opening a FIFO waits
     * for a writer, and reading a device never ends. A missing file is left to the open that follows.
     */
    public static void requireRegularFileIfPresent(Path file) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new RnnException(file + ": not a regular file" + (Files.isDirectory(file) ? " (a directory)" : ""));
        }
    }

    /** A one-line reason for an I/O failure, without repeating the Java class name. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory (" + e.getMessage() + ")";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason() + " (" + fse.getFile() + ")";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip().replaceAll("\\s+", " ");
    }

    /** Whether {@code fileName} is one of this class's temporary files, e.g. left behind by a killed process. */
    public static boolean isTemporaryName(String fileName) {
        return TEMPORARY_NAME.matcher(fileName).matches();
    }

    /** For a name {@link #isTemporaryName} accepts, the name of the file it was to replace. */
    public static String targetOfTemporary(String temporaryName) {
        return temporaryName.substring(1, temporaryName.length() - ".0123456789abcdef.tmp".length());
    }

    private static String tempNameFor(Path target) {
        byte[] random = new byte[8];
        ThreadLocalRandom.current().nextBytes(random);
        // Hidden and clearly ours, so a leftover from a killed process is easy to recognise.
        return "." + target.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp";
    }

    private static void pauseForKillTest() {
        if (SAVE_PAUSE_MILLIS > 0) {
            try {
                Thread.sleep(SAVE_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // Nothing more can be done; the leftover is hidden and named *.tmp.
        }
    }

    /** Keeps a callback from closing the channel before it has been forced to disk. */
    private static final class UnclosableStream extends FilterOutputStream {
        UnclosableStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
