package rnn.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several text files read one after another as one stream, each followed by a line end (so each
 * ends its last line), opening each only when it is reached. It remembers where each file began,
 * in bytes and in lines, so an error at a position of the whole can be told as a position in the
 * file it falls in ({@link #locate}).
 */
final class ConcatenatedFiles extends InputStream {
    /** Where a file began in the whole: its name, first byte and the lines before it. */
    private record Part(String name, long start, long linesBefore) {
    }

    /** A position inside one of the files. */
    record Location(String name, long byteOffset, long line) {
    }

    private final List<String> names;
    private final List<Part> started = new ArrayList<>();
    private InputStream current;
    private int next;
    private boolean lineEndPending;
    private long position;
    private long lineEnds;
    private boolean lastWasCarriageReturn;

    ConcatenatedFiles(List<String> names) {
        this.names = List.copyOf(names);
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
        while (true) {
            if (lineEndPending) {
                lineEndPending = false;
                bytes[offset] = '\n';
                count(bytes, offset, 1);
                return 1;
            }
            if (current == null) {
                if (next == names.size()) {
                    return -1;
                }
                String name = names.get(next++);
                started.add(new Part(name, position, lineEnds));
                current = open(name);
            }
            int n = current.read(bytes, offset, length);
            if (n > 0) {
                count(bytes, offset, n);
                return n;
            }
            if (n < 0) {
                current.close();
                current = null;
                lineEndPending = true;
            }
        }
    }

    /** Line ends as LineReader counts them: LF, CRLF, or a CR alone. */
    private void count(byte[] bytes, int offset, int n) {
        for (int i = offset; i < offset + n; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (!lastWasCarriageReturn) {
                    lineEnds++;
                }
                lastWasCarriageReturn = false;
            } else if (b == '\r') {
                lineEnds++;
                lastWasCarriageReturn = true;
            } else {
                lastWasCarriageReturn = false;
            }
        }
        position += n;
    }

    private static InputStream open(String name) throws IOException {
        Path path = Path.of(name);
        if (!Files.exists(path)) {
            throw new NoSuchFileException(name);
        }
        if (!Files.isRegularFile(path)) { // a FIFO: opening waits for a writer, so where Ctrl-C can abandon it
            return new BackgroundInput(() -> Files.newInputStream(path), name);
        }
        return Files.newInputStream(path);
    }

    /** The file that byte {@code offset} of the whole (on line {@code line}, from 1) belongs to, and where in it. */
    Location locate(long offset, long line) {
        Part part = started.get(0);
        for (Part p : started) {
            if (p.start() <= offset) {
                part = p;
            }
        }
        return new Location(part.name(), offset - part.start(), line - part.linesBefore());
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
        }
    }
}
