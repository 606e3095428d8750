package rnn.text;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Little-endian int32 token ids in a file, read with positional reads of small blocks into a few
 * cached blocks. Not memory-mapped: every page of a mapping that a read touches counts in the
 * process's resident memory, and the kernel maps its fault-around (up to 64 KB) at each fault, so
 * shuffled windows over a large file grew the process by that much per window. Blocks read here
 * leave the file in the kernel's page cache (reclaimable, not the process's), and the process
 * holds only {@value #SLOTS} blocks, so memory stays flat however large the file.
 *
 * <p>Safe for several reading threads without locks: a cached block is immutable (final fields),
 * so a thread sees either a whole block or another one and then reads its own.
 */
public final class FileTokenIds implements TokenIds {
    /**
     * 4 KiB: one page, 1024 ids, read in one system call. A shuffled window costs one read
     * whatever the size (256 bytes was no faster), and streams read sequentially want fewer calls.
     */
    public static final int DEFAULT_BLOCK_BYTES = 4 << 10;
    /**
     * Blocks kept, direct-mapped by block number: enough for the window being read (which may
     * straddle two blocks) and for a sequential reader to come back to; 128 KiB with default blocks.
     */
    static final int SLOTS = 32;

    private final FileChannel channel;
    private final long offset;
    private final long size;
    private final int idsPerBlock;
    private final Block[] slots = new Block[SLOTS];

    private record Block(long number, int[] ids) {
    }

    /**
     * @param channel    open for reading, and kept open for the blocks still to be read
     * @param offset     byte position of the first id
     * @param size       number of ids
     * @param blockBytes bytes a block holds, a positive multiple of 4 (so no id straddles two)
     */
    public FileTokenIds(FileChannel channel, long offset, long size, int blockBytes) {
        if (blockBytes <= 0 || blockBytes % Integer.BYTES != 0) {
            throw new IllegalArgumentException("block of " + blockBytes + " bytes is not a positive multiple of 4");
        }
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " or size " + size);
        }
        this.channel = Objects.requireNonNull(channel, "channel");
        this.offset = offset;
        this.size = size;
        this.idsPerBlock = blockBytes / Integer.BYTES;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int get(long index) {
        Objects.checkIndex(index, size);
        long number = index / idsPerBlock;
        int slot = (int) (number % SLOTS);
        Block block = slots[slot];
        if (block == null || block.number() != number) {
            block = read(number);
            slots[slot] = block;
        }
        return block.ids()[(int) (index - number * idsPerBlock)];
    }

    private Block read(long number) {
        long first = number * idsPerBlock;
        int ids = (int) Math.min(idsPerBlock, size - first);
        ByteBuffer bytes = ByteBuffer.allocate(ids * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long position = offset + first * Integer.BYTES;
        try {
            while (bytes.hasRemaining()) {
                if (channel.read(bytes, position + bytes.position()) < 0) {
                    throw new EOFException("the file ends before id " + (first + ids));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read token ids " + first + ".." + (first + ids), e);
        }
        int[] block = new int[ids];
        bytes.flip().asIntBuffer().get(block);
        return new Block(number, block);
    }
}
