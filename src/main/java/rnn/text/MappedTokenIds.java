package rnn.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Little-endian int32 token ids in a file, read memory-mapped. One {@link MappedByteBuffer} holds
 * at most 2 GB, so the file is mapped in segments of {@code segmentBytes} (1 GiB by default), each
 * on first use. Only the pages read are resident, and the kernel may drop them again, so memory
 * stays flat however large the file.
 */
public final class MappedTokenIds implements TokenIds {
    /** 1 GiB: few mappings even for 10^10 tokens (40 segments). */
    public static final int DEFAULT_SEGMENT_BYTES = 1 << 30;

    private final FileChannel channel;
    private final long offset;
    private final long size;
    private final long idsPerSegment;
    private final MappedByteBuffer[] segments;

    /**
     * @param channel      open for reading; kept open for segments not yet mapped
     * @param offset       byte position of the first id
     * @param size         number of ids
     * @param segmentBytes bytes a segment maps, a positive multiple of 4 (so no id straddles two)
     */
    public MappedTokenIds(FileChannel channel, long offset, long size, int segmentBytes) {
        if (segmentBytes <= 0 || segmentBytes % Integer.BYTES != 0) {
            throw new IllegalArgumentException("segment of " + segmentBytes + " bytes is not a positive multiple of 4");
        }
        if (offset < 0 || size < 0) {
            throw new IllegalArgumentException("negative offset " + offset + " or size " + size);
        }
        this.channel = Objects.requireNonNull(channel, "channel");
        this.offset = offset;
        this.size = size;
        this.idsPerSegment = segmentBytes / Integer.BYTES;
        long segmentCount = (size + idsPerSegment - 1) / idsPerSegment;
        if (segmentCount > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(size + " ids need too many segments of " + segmentBytes + " bytes");
        }
        this.segments = new MappedByteBuffer[(int) segmentCount];
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int get(long index) {
        Objects.checkIndex(index, size);
        int segment = (int) (index / idsPerSegment);
        MappedByteBuffer buffer = segments[segment];
        if (buffer == null) {
            buffer = map(segment);
        }
        return buffer.getInt((int) (index - segment * idsPerSegment) * Integer.BYTES);
    }

    private MappedByteBuffer map(int segment) {
        long first = segment * idsPerSegment;
        long ids = Math.min(idsPerSegment, size - first);
        try {
            MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, offset + first * Integer.BYTES,
                    ids * Integer.BYTES);
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            // Two threads may both map a segment the first time; either mapping is as good.
            segments[segment] = buffer;
            return buffer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map token ids " + first + ".." + (first + ids), e);
        }
    }
}
