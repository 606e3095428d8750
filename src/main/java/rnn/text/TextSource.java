package rnn.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import rnn.RnnException;

/**
 * Where text comes from: a file, or a stream such as stdin that can be read only once.
 *
 * <p>{@link #open()} gives a {@link LineReader}, which decodes strict UTF-8 in constant memory.
 * Problems opening the input become {@link RnnException}s that name it as the user wrote it.
 */
public final class TextSource {
    /** The command-line spelling of standard input. */
    public static final String STDIN = "-";

    private final String name;
    private final Path path;
    private InputStream stream;

    private TextSource(String name, Path path, InputStream stream) {
        this.name = name;
        this.path = path;
        this.stream = stream;
    }

    /** A file path, or {@code -} for standard input. */
    public static TextSource of(String pathOrDash) {
        Objects.requireNonNull(pathOrDash, "pathOrDash");
        if (pathOrDash.equals(STDIN)) {
            InputStream stdin = System.in;
            return of(new BackgroundInput(() -> stdin, "stdin"), "stdin");
        }
        return new TextSource(pathOrDash, Path.of(pathOrDash), null);
    }

    /**
     * Several files read one after another as one text, each ending its last line (a file that
     * lacks a final line end gets one). Errors name the file and the position in it.
     */
    public static TextSource concat(List<String> files) {
        return of(new ConcatenatedFiles(files), String.join(" + ", files));
    }

    public static TextSource of(Path path) {
        return new TextSource(path.toString(), path, null);
    }

    /** A stream read once; {@code name} is how error messages refer to it. Closing the reader closes it. */
    public static TextSource of(InputStream stream, String name) {
        return new TextSource(Objects.requireNonNull(name, "name"), null, Objects.requireNonNull(stream, "stream"));
    }

    /** How messages refer to this input: the path as given, or "stdin". */
    public String name() {
        return name;
    }

    /** True for files; false for streams, which {@link #open()} can hand out only once. */
    public boolean rereadable() {
        return path != null;
    }

    /** Opens the text for reading, line by line. */
    public LineReader open() {
        if (path == null) {
            if (stream == null) {
                throw new RnnException(name + ": can only be read once");
            }
            InputStream once = stream;
            stream = null;
            return new LineReader(once, name);
        }
        if (Files.isDirectory(path)) {
            throw new RnnException(name + ": is a directory, not a text file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // A FIFO or device: opening and reading may block for ever, so both happen where Ctrl-C can abandon them.
            return new LineReader(new BackgroundInput(() -> Files.newInputStream(path), name), name);
        }
        try {
            return new LineReader(Files.newInputStream(path), name);
        } catch (NoSuchFileException e) {
            throw new RnnException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new RnnException(name + ": permission denied");
        } catch (IOException e) {
            throw new RnnException(name + ": cannot open: " + e.getMessage(), e);
        }
    }

    /** Reads every line in order; see {@link LineReader#readLine()} for what a line is. */
    public void forEachLine(Consumer<String> lines) {
        try (LineReader reader = open()) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.accept(line);
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
