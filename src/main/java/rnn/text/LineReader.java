package rnn.text;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import rnn.CancelledException;
import rnn.RnnException;

/**
 * Reads strict UTF-8 text one line at a time, in constant memory apart from the current line.
 *
 * <p>A line ends at LF, CRLF or a lone CR; the returned line never contains either character.
 * Text after the last line end is a last line; an empty input has no lines. A leading byte order
 * mark is skipped. A malformed byte sequence or a NUL byte throws {@link TextFormatException}
 * naming the input and the zero-based byte offset of the first offending byte, once every line
 * before it has been returned. The reader also hashes the bytes it reads (SHA-256), so a corpus
 * read once, even from stdin, can be fingerprinted.
 */
public final class LineReader implements Closeable {
    static final int BUFFER_SIZE = 1 << 16;
    /** A builder grown past this by one long line is dropped afterwards, so its memory goes too. */
    private static final int KEEP_BUILDER_CHARS = 1 << 20;

    /** Readers open now, so that Ctrl-C can end a read blocked on a terminal, pipe or FIFO ({@link #abortAll}). */
    private static final Set<LineReader> OPEN = ConcurrentHashMap.newKeySet();
    /** Set by {@link #abortAll}: a reader that starts reading afterwards stops at once too. */
    private static volatile boolean allAborted;

    private final InputStream input;
    private final String name;
    private volatile boolean aborted;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final MessageDigest sha256;
    /** Undecoded bytes, kept in read mode (position..limit) between calls. */
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_SIZE).flip();
    /** Decoded characters not yet returned, in read mode. */
    private final CharBuffer chars = CharBuffer.allocate(BUFFER_SIZE).flip();
    private StringBuilder partialLine = new StringBuilder();

    /** Input offset of {@code bytes.array()[0]}. */
    private long bufferStart;
    private long bytesRead;
    /** End of file, or a NUL byte: nothing more to decode. */
    private boolean inputEnded;
    /** Everything decodable has been decoded. */
    private boolean decodingDone;
    private long errorOffset = -1;
    private boolean errorIsNul;
    private boolean skipLineFeed;
    private boolean atStart = true;
    private long lines;
    private String sha256Hex;

    LineReader(InputStream input, String name) {
        this.input = input;
        this.name = name;
        OPEN.add(this);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The next line without its line end, or null after the last one. */
    public String readLine() {
        StringBuilder partial = partialLine;
        partial.setLength(0);
        while (true) {
            if (!chars.hasRemaining() && !decodeMore()) {
                return partial.length() == 0 ? null : finishLine(partial.toString());
            }
            char[] array = chars.array();
            int start = chars.position();
            int end = chars.limit();
            if (skipLineFeed) {
                skipLineFeed = false;
                if (array[start] == '\n') {
                    chars.position(start + 1);
                    continue;
                }
            }
            for (int i = start; i < end; i++) {
                char c = array[i];
                if (c == '\n' || c == '\r') {
                    skipLineFeed = c == '\r';
                    chars.position(i + 1);
                    String line = partial.length() == 0
                            ? new String(array, start, i - start)
                            : partial.append(array, start, i - start).toString();
                    return finishLine(line);
                }
            }
            partial.append(array, start, end - start);
            chars.position(end);
        }
    }

    /** Lines returned so far. */
    public long lineCount() {
        return lines;
    }

    /** Bytes read from the input so far (ahead of the lines returned, by up to a buffer). */
    public long byteCount() {
        return bytesRead;
    }

    /** SHA-256 of all the input's bytes, in lowercase hex; only once {@link #readLine()} has returned null. */
    public String sha256Hex() {
        if (!decodingDone || chars.hasRemaining() || errorOffset >= 0) {
            throw new IllegalStateException(name + " has not been read to the end");
        }
        if (sha256Hex == null) {
            sha256Hex = HexFormat.of().formatHex(sha256.digest());
        }
        return sha256Hex;
    }

    @Override
    public void close() {
        OPEN.remove(this);
        try {
            input.close();
        } catch (IOException e) {
            throw new RnnException(name + ": cannot close: " + e.getMessage(), e);
        }
    }

    /**
     * Ctrl-C: closes every open reader's input from another thread. A read blocked on a channel
     * (files, and stdin as Main sets it up) then ends at once, and the reader throws
     * {@link CancelledException}; without this a read from an idle pipe would wait for ever.
     */
    public static void abortAll() {
        allAborted = true;
        for (LineReader reader : OPEN) {
            reader.aborted = true;
            try {
                reader.input.close();
            } catch (IOException e) {
                // Closing for an abort: nothing more to do.
            }
        }
    }

    private String finishLine(String line) {
        lines++;
        if (partialLine.capacity() > KEEP_BUILDER_CHARS) {
            partialLine = new StringBuilder();
        }
        return line;
    }

    /** Refills {@link #chars}; false at the end of the text. Throws a pending error once the text before it is used up. */
    private boolean decodeMore() {
        chars.clear();
        while (chars.position() == 0) {
            if (decodingDone) {
                if (errorOffset >= 0) {
                    throw formatError();
                }
                break;
            }
            CoderResult result = decoder.decode(bytes, chars, inputEnded);
            if (result.isError()) {
                // Hand out the characters before the bad byte first; the next call throws.
                errorOffset = bufferStart + bytes.position();
                errorIsNul = false;
                decodingDone = true;
            } else if (result.isUnderflow()) {
                if (inputEnded) {
                    decoder.flush(chars);
                    decodingDone = true;
                } else {
                    readBytes();
                }
            }
        }
        chars.flip();
        if (atStart && chars.hasRemaining()) {
            atStart = false;
            if (chars.get(chars.position()) == '\uFEFF') {
                chars.position(chars.position() + 1);
                return chars.hasRemaining() || decodeMore();
            }
        }
        return chars.hasRemaining();
    }

    private void readBytes() {
        int consumed = bytes.position();
        bytes.compact();
        bufferStart += consumed;
        int from = bytes.position();
        int count;
        try {
            if (allAborted) {
                aborted = true;
                throw new IOException("aborted");
            }
            count = input.read(bytes.array(), from, bytes.remaining());
        } catch (IOException e) {
            if (aborted) {
                throw new CancelledException(name + ": reading stopped by Ctrl-C");
            }
            throw new RnnException(name + ": read error: " + e.getMessage(), e);
        }
        if (count < 0) {
            inputEnded = true;
            count = 0;
        }
        byte[] array = bytes.array();
        for (int i = from; i < from + count; i++) {
            if (array[i] == 0) {
                // Decode up to the NUL as if the input ended there, then report it.
                errorOffset = bufferStart + i;
                errorIsNul = true;
                inputEnded = true;
                count = i - from;
                break;
            }
        }
        sha256.update(array, from, count);
        bytesRead += count;
        bytes.position(from + count);
        bytes.flip();
    }

    private TextFormatException formatError() {
        String file = name;
        long offset = errorOffset;
        long line = lines + 1;
        if (input instanceof ConcatenatedFiles files) { // name the file it is in, and the position there
            ConcatenatedFiles.Location location = files.locate(errorOffset, line);
            file = location.name();
            offset = location.byteOffset();
            line = location.line();
        }
        String where = " at byte " + offset + " (line " + line + ")";
        return new TextFormatException(errorIsNul
                ? file + ": binary file: NUL byte" + where
                : file + ": invalid UTF-8" + where, offset);
    }
}
