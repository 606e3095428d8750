package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rnn.RnnException;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesNewFileAndReplacesExistingOne() throws IOException {
        Path target = dir.resolve("state.json");
        AtomicFiles.writeString(target, "first");
        assertEquals("first", Files.readString(target));

        AtomicFiles.writeBytes(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void streamingWriterMayCloseTheStreamAndWriteMoreThanTheBuffer() throws IOException {
        Path target = dir.resolve("big.bin");
        byte[] chunk = new byte[100_000];
        chunk[0] = 42;
        AtomicFiles.write(target, out -> {
            out.write(chunk);
            out.write(7);
            out.close();
        });
        byte[] written = Files.readAllBytes(target);
        assertEquals(100_001, written.length);
        assertEquals(42, written[0]);
        assertEquals(7, written[100_000]);
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path target = dir.resolve("models/x/notes.txt");
        AtomicFiles.writeString(target, "héllo");
        assertEquals("héllo", Files.readString(target, StandardCharsets.UTF_8));
    }

    @Test
    void ioFailureMidWayKeepsOldContentAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("weights.safetensors");
        AtomicFiles.writeString(target, "old content");

        RnnException e = assertThrows(RnnException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[200_000]); // enough to reach the disk, not just the buffer
            throw new IOException("disk full");
        }));

        assertTrue(e.getMessage().startsWith("cannot write " + target), e.getMessage());
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals("old content", Files.readString(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void runtimeFailureFromCallbackPropagatesUnchangedAndCleansUp() throws IOException {
        Path target = dir.resolve("vocab.json");
        AtomicFiles.writeString(target, "old");
        IllegalStateException boom = new IllegalStateException("boom");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write("new partial".getBytes(StandardCharsets.UTF_8));
            throw boom;
        }));

        assertSame(boom, thrown);
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void failedFirstWriteCreatesNothing() throws IOException {
        Path target = dir.resolve("never.bin");
        assertThrows(RnnException.class, () -> AtomicFiles.write(target, out -> {
            throw new IOException("nope");
        }));
        assertEquals(List.of(), listDir());
    }

    @Test
    void unwritableTargetBecomesRnnExceptionNamingTheFile() throws IOException {
        Path blocker = dir.resolve("file-not-dir");
        Files.writeString(blocker, "x");
        Path target = blocker.resolve("child.txt");
        RnnException e = assertThrows(RnnException.class, () -> AtomicFiles.writeString(target, "y"));
        assertTrue(e.getMessage().startsWith("cannot write " + target + ": "), e.getMessage());
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }
}
