package rnn.cluster;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;

import rnn.RnnException;
import rnn.checkpoint.ModelStore;

/**
 * A model directory on a Hadoop file system (hdfs://, s3a://, ...). The driver trains into a local
 * staging copy with the same checkpoint code as any run, and publishes every checkpoint to the
 * remote directory: each changed file is written beside its target and renamed over it, in the
 * order a local save writes them (weights before the resume file before model.json), so the remote
 * directory is always a loadable model and a resume reads a consistent checkpoint. A lock file,
 * created only if absent, keeps two drivers out of one directory; one left by a driver that died on
 * this host is taken over.
 */
final class RemoteModelDirectory implements AutoCloseable {
    static final String LOCK = ".lock";
    /** Published in this order, the order of a local save; anything else the run writes stays local. */
    private static final List<String> PUBLISHED = List.of(ModelStore.VOCABULARY, ModelStore.WEIGHTS, ModelStore.RESUME,
            ModelStore.MANIFEST, ModelStore.HISTORY, ModelStore.PLOT);

    private final String location;
    private final org.apache.hadoop.fs.Path root;
    private final FileSystem fs;
    private final FileContext files;
    private final Path staging;
    private final Map<String, String> publishedVersions = new HashMap<>();
    private boolean locked;

    private RemoteModelDirectory(String location, org.apache.hadoop.fs.Path root, FileSystem fs, FileContext files,
                                 Path staging) {
        this.location = location;
        this.root = root;
        this.fs = fs;
        this.files = files;
        this.staging = staging;
    }

    /**
     * The Hadoop URI {@code output} names, or empty for a path on the driver's own file system (a
     * plain path or a file: URI), which the local model store handles.
     */
    static Optional<URI> remoteUri(String output) {
        try {
            URI uri = new URI(output);
            // One letter is a Windows drive, not a scheme.
            if (uri.getScheme() == null || uri.getScheme().length() < 2 || uri.getScheme().equals("file")) {
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * Locks the remote directory {@code uri} for a new run: refused when it holds a model (unless
     * {@code force}) or anything that is not one, as a local output is.
     */
    static RemoteModelDirectory create(Configuration hadoop, URI uri, boolean force) {
        return open(hadoop, uri, "cannot create or lock the model directory", remote -> {
            remote.fs.mkdirs(remote.root);
            remote.lock();
            remote.requireModelOrEmpty(force);
        });
    }

    /** Locks the remote model directory {@code uri} and copies its checkpoint into the local staging directory. */
    static RemoteModelDirectory resume(Configuration hadoop, URI uri) {
        return open(hadoop, uri, "cannot read the model directory", remote -> {
            if (!remote.fs.exists(new org.apache.hadoop.fs.Path(remote.root, ModelStore.MANIFEST))) {
                throw new RnnException(uri + ": holds no model to resume (no " + ModelStore.MANIFEST + ")");
            }
            remote.lock();
            remote.download();
        });
    }

    private interface Opening {
        void prepare(RemoteModelDirectory remote) throws IOException;
    }

    /** Connects, then {@code prepare}s; on any failure releases what it took and reports {@code whatFails}. */
    private static RemoteModelDirectory open(Configuration hadoop, URI uri, String whatFails, Opening prepare) {
        RemoteModelDirectory remote = connect(hadoop, uri);
        try {
            prepare.prepare(remote);
            return remote;
        } catch (IOException e) {
            remote.close();
            throw remote.failure(whatFails, e);
        } catch (RuntimeException e) {
            remote.close();
            throw e;
        }
    }

    /** The remote checkpoint into the staging directory, recorded as published. */
    private void download() throws IOException {
        for (String name : PUBLISHED) {
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(root, name);
            if (fs.exists(file)) {
                try (InputStream in = fs.open(file)) {
                    Files.copy(in, staging.resolve(name));
                }
                publishedVersions.put(name, localVersion(name));
            }
        }
    }

    private static RemoteModelDirectory connect(Configuration hadoop, URI uri) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs;
        FileContext files;
        try {
            fs = root.getFileSystem(hadoop);
            files = FileContext.getFileContext(fs.getUri(), hadoop);
        } catch (IOException | RuntimeException e) {
            throw new RnnException("--output " + uri + ": no file system for it: " + ClusterTraining.firstLine(e.getMessage()));
        }
        Path staging;
        try {
            staging = Files.createTempDirectory("rnn-output-");
        } catch (IOException e) {
            throw new RnnException("cannot create a local staging directory for " + uri + ": " + e.getMessage(), e);
        }
        return new RemoteModelDirectory(uri.toString(), root, fs, files, staging);
    }

    /** The local directory the run writes; {@link #publish()} copies its checkpoint to the remote one. */
    Path staging() {
        return staging;
    }

    String location() {
        return location;
    }

    /** Copies every file changed since the last call to the remote directory, each replaced atomically. */
    void publish() {
        for (String name : PUBLISHED) {
            Path local = staging.resolve(name);
            if (!Files.isRegularFile(local)) {
                continue;
            }
            String version = localVersion(name);
            if (version.equals(publishedVersions.get(name))) {
                continue;
            }
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, name);
            org.apache.hadoop.fs.Path partial = new org.apache.hadoop.fs.Path(root, "." + name + ".tmp");
            try {
                try (OutputStream out = fs.create(partial, true)) {
                    Files.copy(local, out);
                }
                files.rename(partial, target, Options.Rename.OVERWRITE);
            } catch (IOException e) {
                throw failure("cannot write " + name, e);
            }
            publishedVersions.put(name, version);
        }
    }

    private String localVersion(String name) {
        try {
            Path file = staging.resolve(name);
            return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new RnnException(staging.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes the lock file, created only if absent (atomic on HDFS). A lock a dead driver on this
     * host left is replaced; any other is reported with its owner.
     */
    private void lock() throws IOException {
        org.apache.hadoop.fs.Path lock = new org.apache.hadoop.fs.Path(root, LOCK);
        String owner = host() + " " + ProcessHandle.current().pid() + " " + Instant.now() + "\n";
        try {
            writeNew(lock, owner);
        } catch (FileAlreadyExistsException e) {
            String held = readSmall(lock);
            if (!leftByDeadDriverHere(held)) {
                throw new RnnException(location + ": is in use by another run (" + LOCK + ": " + held.strip()
                        + "); if that run is gone, delete " + location + "/" + LOCK);
            }
            fs.delete(lock, false);
            writeNew(lock, owner);
        }
        locked = true;
    }

    private void writeNew(org.apache.hadoop.fs.Path file, String text) throws IOException {
        try (OutputStream out = files.create(file, EnumSet.of(CreateFlag.CREATE))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private String readSmall(org.apache.hadoop.fs.Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new String(in.readNBytes(512), StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            return "";
        }
    }

    private static boolean leftByDeadDriverHere(String owner) {
        String[] fields = owner.strip().split(" ");
        if (fields.length < 2 || !fields[0].equals(host())) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(fields[1])).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private void requireModelOrEmpty(boolean force) throws IOException {
        boolean model = false;
        for (FileStatus entry : fs.listStatus(root)) {
            String name = entry.getPath().getName();
            if (name.equals(ModelStore.MANIFEST)) {
                model = true;
            } else if (!name.equals(LOCK) && !PUBLISHED.contains(name) && !name.startsWith(".")) {
                throw new RnnException(location + ": is not empty and holds no model (" + name
                        + "); choose an empty or new directory");
            }
        }
        if (model && !force) {
            throw new RnnException(location + ": already holds a model; continue it with --resume " + location
                    + ", replace it with --force, or choose another --output");
        }
        if (model) {
            // As a local --force does: until the first save is published the directory holds no
            // model rather than an old model.json beside new files.
            fs.delete(new org.apache.hadoop.fs.Path(root, ModelStore.MANIFEST), false);
        }
    }

    private RnnException failure(String what, IOException e) {
        return new RnnException(location + ": " + what + ": " + ClusterTraining.firstLine(e.getMessage()), e);
    }

    /** Releases the lock and removes the staging copy (everything in it has been published). */
    @Override
    public void close() {
        if (locked) {
            try {
                fs.delete(new org.apache.hadoop.fs.Path(root, LOCK), false);
            } catch (IOException e) {
                // The next run reports the lock and how to remove it.
            }
            locked = false;
        }
        try (Stream<Path> paths = Files.walk(staging)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory; the system cleans it.
        }
    }
}
