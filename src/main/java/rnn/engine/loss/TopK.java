package rnn.engine.loss;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.kernel.HostCopy;

/**
 * Next-word accuracy, as Keras's {@code accuracy} and {@code top_k_categorical_accuracy}: a
 * prediction is a top-k hit when fewer than k logits of its row are larger than its target's (a
 * tie with the target counts for it).
 */
public final class TopK {
    private TopK() {
    }

    /** Hits among the rows of {@code logits} [M, V]: {@code [top-1 hits, top-k hits]}. */
    public static long[] hits(INDArray logits, int[] targets, int k) {
        int rows = (int) logits.size(0);
        int columns = (int) logits.size(1);
        double[] row = new double[columns];
        HostCopy copy = new HostCopy();
        long top1 = 0;
        long topK = 0;
        for (int r = 0; r < rows; r++) {
            copy.read(logits.getRow(r, true), row, 0);
            int larger = larger(row, row[targets[r]]);
            top1 += larger == 0 ? 1 : 0;
            topK += larger < k ? 1 : 0;
        }
        return new long[] {top1, topK};
    }

    private static int larger(double[] row, double target) {
        int n = 0;
        for (double z : row) {
            n += z > target ? 1 : 0;
        }
        return n;
    }
}
