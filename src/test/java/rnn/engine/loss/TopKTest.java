package rnn.engine.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Top-1 and top-k hits counted by hand on small rows of logits, float and double. */
class TopKTest {
    @Test
    void countsTargetsRankedFirstAndWithinK() {
        double[][] rows = {
                {0.1, 2.0, 0.3, 0.4, 0.5, 0.6, 0.7}, // target 1: the largest -> top-1 and top-3
                {5.0, 4.0, 3.0, 2.0, 1.0, 0.0, -1.0}, // target 2: two larger -> top-3, not top-1
                {5.0, 4.0, 3.0, 2.0, 1.0, 0.0, -1.0}, // target 3: three larger -> neither
                {1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0}, // target 1: tied with the largest -> counts for it
        };
        int[] targets = {1, 2, 3, 1};
        for (DataType dtype : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray logits = Nd4j.createFromArray(rows).castTo(dtype);
            assertArrayEquals(new long[] {2, 3}, TopK.hits(logits, targets, 3));
            assertArrayEquals(new long[] {2, 4}, TopK.hits(logits, targets, 5));
            assertArrayEquals(new long[] {2, 2}, TopK.hits(logits, targets, 1));

            // The same rows as a block of a larger array (rows 2-5, after two rows that would hit
            // nothing), and one row of it alone: rows are read at the block's own offset.
            double[][] padded = new double[6][];
            padded[0] = new double[] {9, 9, 9, 9, 9, 9, -9};
            padded[1] = new double[] {9, 9, 9, 9, 9, 9, -9};
            System.arraycopy(rows, 0, padded, 2, 4);
            INDArray whole = Nd4j.createFromArray(padded).castTo(dtype);
            INDArray block = whole.get(NDArrayIndex.interval(2, 6), NDArrayIndex.all());
            assertArrayEquals(new long[] {2, 3}, TopK.hits(block, targets, 3));
            INDArray second = whole.get(NDArrayIndex.interval(3, 4), NDArrayIndex.all());
            assertArrayEquals(new long[] {0, 1}, TopK.hits(second, new int[] {2}, 3));
        }
    }
}
