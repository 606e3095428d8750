package rnn.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.RnnException;

class TextSourceTest {
    @TempDir
    Path dir;

    @Test
    void splitsOnLfCrlfAndLoneCr() {
        assertEquals(List.of("a", "b", "c", "", "d", "e"), lines("a\nb\r\nc\r\rd\re"));
    }

    @Test
    void lastLineWithoutLineEndCountsAndEmptyInputHasNoLines() {
        assertEquals(List.of(), lines(""));
        assertEquals(List.of(""), lines("\n"));
        assertEquals(List.of("", ""), lines("\r\n\r\n"));
        assertEquals(List.of("x", ""), lines("x\n\n"));
        assertEquals(List.of("x"), lines("x"));
    }

    @Test
    void lineContentNeverHoldsCarriageReturnsEvenAcrossBufferEdges() {
        // Put the CR of a CRLF on every side of the 64 KiB buffer boundaries, feeding bytes in odd-sized pieces too.
        for (int length = LineReader.BUFFER_SIZE - 3; length <= LineReader.BUFFER_SIZE + 2; length++) {
            String first = "a".repeat(length);
            String text = first + "\r\nb\r\r\nc\r";
            List<String> expected = List.of(first, "b", "", "c");
            assertEquals(expected, lines(text), "length " + length);
            assertEquals(expected, readAll(TextSource.of(new TrickleStream(utf8(text)), "trickle")));
        }
    }

    @Test
    void decodesMultiByteCharactersSplitAcrossReads() {
        String line = "naïve café 東京 😀 Ünïcödé ".repeat(5000);
        String text = line + "\n" + line + "\r\n";
        assertEquals(List.of(line, line), lines(text));
        assertEquals(List.of(line, line), readAll(TextSource.of(new TrickleStream(utf8(text)), "trickle")));
    }

    @Test
    void skipsALeadingByteOrderMarkOnly() {
        assertEquals(List.of("a", "\uFEFFb"), lines("\uFEFFa\n\uFEFFb"));
    }

    @Test
    void readsOneVeryLongLineAsOneString() throws IOException {
        Path file = dir.resolve("long.txt");
        String line = "word ".repeat(2_000_000); // 10 MB, many buffers
        Files.writeString(file, line + "\nend");
        assertEquals(List.of(line, "end"), readAll(TextSource.of(file)));
    }

    @Test
    void malformedUtf8NamesTheFileAndByteOffset() throws IOException {
        Path file = dir.resolve("corpus.txt");
        Files.write(file, new byte[] {'a', 'b', '\n', 'c', (byte) 0xFF, 'd'});
        List<String> seen = new ArrayList<>();
        TextFormatException error = assertThrows(TextFormatException.class,
                () -> TextSource.of(file).forEachLine(seen::add));
        assertEquals(file + ": invalid UTF-8 at byte 4 (line 2)", error.getMessage());
        assertEquals(4, error.byteOffset());
        assertEquals(List.of("ab"), seen, "lines before the bad byte are delivered first");
    }

    @Test
    void malformedUtf8OffsetIsExactBeyondTheFirstBuffer() {
        byte[] prefix = utf8(("héllo wörld\n").repeat(20_000)); // 260,000 bytes, 2-byte chars straddle buffers
        for (byte[] bad : List.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xC3, 'x'},
                new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
            byte[] input = concat(prefix, bad, utf8(" tail\n"));
            TextFormatException error = assertThrows(TextFormatException.class,
                    () -> readAll(TextSource.of(new ByteArrayInputStream(input), "big.txt")));
            assertEquals("big.txt: invalid UTF-8 at byte " + prefix.length + " (line 20001)", error.getMessage());
            TextFormatException trickled = assertThrows(TextFormatException.class,
                    () -> readAll(TextSource.of(new TrickleStream(input), "big.txt")));
            assertEquals(prefix.length, trickled.byteOffset());
        }
    }

    @Test
    void truncatedSequenceAtEndOfInputIsMalformed() {
        byte[] input = {'a', 'b', 'c', (byte) 0xE2, (byte) 0x82};
        TextFormatException error = assertThrows(TextFormatException.class,
                () -> readAll(TextSource.of(new ByteArrayInputStream(input), "t.txt")));
        assertEquals("t.txt: invalid UTF-8 at byte 3 (line 1)", error.getMessage());
    }

    @Test
    void nulByteIsReportedAsBinaryFile() {
        byte[] input = concat(utf8("x".repeat(100_000) + "\n"), new byte[] {'a', 0, 'b'});
        TextFormatException error = assertThrows(TextFormatException.class,
                () -> readAll(TextSource.of(new ByteArrayInputStream(input), "model.bin")));
        assertEquals("model.bin: binary file: NUL byte at byte 100002 (line 2)", error.getMessage());
    }

    @Test
    void earlierMalformedByteWinsOverLaterNul() {
        byte[] input = {'a', (byte) 0xFF, 'b', 0};
        TextFormatException error = assertThrows(TextFormatException.class,
                () -> readAll(TextSource.of(new ByteArrayInputStream(input), "x")));
        assertEquals(1, error.byteOffset());
    }

    @Test
    void missingFileAndDirectoryGiveOneLineMessages() throws IOException {
        Path missing = dir.resolve("nope.txt");
        RnnException error = assertThrows(RnnException.class, () -> TextSource.of(missing.toString()).open());
        assertEquals(missing + ": no such file", error.getMessage());
        Path folder = Files.createDirectory(dir.resolve("folder"));
        error = assertThrows(RnnException.class, () -> TextSource.of(folder).open());
        assertEquals(folder + ": is a directory, not a text file", error.getMessage());
    }

    @Test
    void readErrorsNameTheInput() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("device gone");
            }
        };
        RnnException error = assertThrows(RnnException.class, () -> readAll(TextSource.of(failing, "stdin")));
        assertEquals("stdin: read error: device gone", error.getMessage());
    }

    @Test
    void streamsCanBeOpenedOnlyOnceAndFilesAgain() throws IOException {
        TextSource stream = TextSource.of(new ByteArrayInputStream(utf8("a")), "stdin");
        assertEquals(List.of("a"), readAll(stream));
        RnnException error = assertThrows(RnnException.class, stream::open);
        assertEquals("stdin: can only be read once", error.getMessage());

        Path file = dir.resolve("twice.txt");
        Files.writeString(file, "a\nb");
        TextSource source = TextSource.of(file.toString());
        assertTrue(source.rereadable());
        assertEquals(readAll(source), readAll(source));
        assertEquals("stdin", TextSource.of("-").name());
    }

    @Test
    void hashesTheBytesItRead() throws Exception {
        byte[] input = utf8("\uFEFFone\r\ntwo 東京\n".repeat(10_000));
        try (LineReader reader = TextSource.of(new ByteArrayInputStream(input), "x").open()) {
            while (reader.readLine() != null) {
                // read to the end
            }
            assertEquals(20_000, reader.lineCount());
            assertEquals(input.length, reader.byteCount());
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
            assertEquals(expected, reader.sha256Hex());
            assertEquals(expected, reader.sha256Hex());
        }
    }

    @Test
    void hashIsRefusedBeforeTheEnd() {
        try (LineReader reader = TextSource.of(new ByteArrayInputStream(utf8("a\nb\n")), "x").open()) {
            reader.readLine();
            assertThrows(IllegalStateException.class, reader::sha256Hex);
            reader.readLine();
            assertNull(reader.readLine());
            assertEquals(64, reader.sha256Hex().length());
        }
    }

    @Test
    void trickleStreamHelperDeliversAllBytes() throws IOException {
        byte[] input = utf8("abcdefgh".repeat(100));
        assertArrayEquals(input, new TrickleStream(input).readAllBytes());
    }

    private static List<String> lines(String text) {
        return readAll(TextSource.of(new ByteArrayInputStream(utf8(text)), "test"));
    }

    static List<String> readAll(TextSource source) {
        List<String> lines = new ArrayList<>();
        source.forEachLine(lines::add);
        return lines;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** Returns 1 to 7 bytes per read, so multi-byte characters and CRLFs straddle reads. */
    private static final class TrickleStream extends InputStream {
        private final byte[] data;
        private int at;
        private int turn;

        TrickleStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (at >= data.length) {
                return -1;
            }
            int count = Math.min(Math.min(length, 1 + turn++ % 7), data.length - at);
            System.arraycopy(data, at, buffer, offset, count);
            at += count;
            return count;
        }
    }
}
