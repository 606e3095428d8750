package rnn.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import rnn.RnnException;

/** Held while a run writes into a model directory: an exclusive lock on its .lock file. */
public final class DirectoryLock implements AutoCloseable {
    private final Path directory;
    private final FileChannel channel;
    private final boolean created;

    private DirectoryLock(Path directory, FileChannel channel, boolean created) {
        this.directory = directory;
        this.channel = channel;
        this.created = created;
    }

    /**
     * Makes sure {@code directory} can hold a model before any work starts: creates it, proves it is
     * writable and takes an exclusive lock (released when the returned handle is closed or the
     * process dies), so two runs never interleave files in one directory. A directory this call
     * created is removed again on close if the run wrote nothing into it.
     *
     * <p>Only a new or empty directory, or one a run already wrote (it holds model.json or the
     * lock file), is accepted: anything else belongs to the user, and a run would overwrite or delete
     * their files. A symbolic link is refused rather than followed, so a run never writes through
     * models/latest (or any link) into another model, nor through a planted .lock into another file.
     */
    public static DirectoryLock acquire(Path directory) {
        if (Files.isSymbolicLink(directory)) {
            throw new RnnException(directory + ": is a symbolic link; give the directory itself as --output");
        }
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new RnnException(directory + ": exists and is not a directory; choose another --output");
        }
        boolean created = !Files.exists(directory);
        if (!created) {
            requireModelDirectoryOrEmpty(directory);
        }
        try {
            Files.createDirectories(directory);
            Path probe = Files.createTempFile(directory, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new RnnException(directory + ": cannot write there: " + AtomicFiles.describe(e)
                    + "; choose another --output");
        }
        Path lockFile = directory.resolve(ModelStore.LOCK);
        if (Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new RnnException(lockFile + ": not a regular file (a symbolic link?); rnn does not follow it."
                    + " Remove it if no rnn train is running there");
        }
        try {
            // NOFOLLOW_LINKS as well: a link planted after the check above still fails instead of being followed.
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new RnnException(directory + ": another rnn train is writing there; wait for it or choose another --output");
            }
            removeLeftovers(directory);
            return new DirectoryLock(directory, channel, created);
        } catch (IOException e) {
            throw new RnnException(directory + ": cannot lock: " + AtomicFiles.describe(e));
        }
    }

    /** Whether a run wrote {@code directory}: it holds model.json or the lock file (a first save killed part-way). */
    public static boolean isModelDirectory(Path directory) {
        return Files.isRegularFile(directory.resolve(ModelStore.MANIFEST), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(directory.resolve(ModelStore.LOCK), LinkOption.NOFOLLOW_LINKS);
    }

    private static void requireModelDirectoryOrEmpty(Path directory) {
        if (isModelDirectory(directory)) {
            return;
        }
        Optional<String> someEntry;
        try (var entries = Files.list(directory)) {
            someEntry = entries.map(entry -> entry.getFileName().toString()).sorted().findFirst();
        } catch (IOException e) {
            throw new RnnException(directory + ": cannot read the directory: " + AtomicFiles.describe(e)
                    + "; choose another --output");
        }
        if (someEntry.isPresent()) {
            throw new RnnException(directory + ": not empty and not an rnn model directory (it holds "
                    + someEntry.get() + "); choose a new or empty --output");
        }
    }

    /**
     * Deletes the temporary files of writes that a killed run never finished. Only under the lock:
     * then no other process is writing here. Only temporary files of the model's own files, so a
     * user's hidden *.tmp stays. Best effort: they are hidden and harmless anyway.
     */
    private static void removeLeftovers(Path directory) {
        try (var entries = Files.list(directory)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (AtomicFiles.isTemporaryName(name) && ModelStore.RUN_FILES.contains(AtomicFiles.targetOfTemporary(name))
                        && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException e) {
            // Leftovers stay; the next run tries again.
        }
    }

    @Override
    public void close() {
        // A run that failed before writing a model (a bad corpus, say) leaves no directory behind,
        // nor the token cache it may have written first.
        boolean remove = created && onlyTheLockAndCacheIn(directory);
        try {
            if (remove) {
                Files.deleteIfExists(directory.resolve(ModelStore.TOKEN_CACHE));
                Files.deleteIfExists(directory.resolve(ModelStore.LOCK));
            }
            channel.close();
            if (remove) {
                Files.deleteIfExists(directory);
            }
        } catch (IOException ignored) {
            // The lock goes with the process anyway; a leftover empty directory is harmless.
        }
    }

    private static boolean onlyTheLockAndCacheIn(Path directory) {
        try (var entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString())
                    .allMatch(name -> name.equals(ModelStore.LOCK) || name.equals(ModelStore.TOKEN_CACHE));
        } catch (IOException e) {
            return false;
        }
    }
}
