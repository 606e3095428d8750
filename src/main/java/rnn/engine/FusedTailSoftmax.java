package rnn.engine;

import java.nio.FloatBuffer;
import java.util.Arrays;

import rnn.engine.kernel.EngineThreads;
import rnn.engine.kernel.ExpTerms;
import rnn.engine.kernel.Reductions;
import rnn.engine.kernel.RowProducts;

/**
 * The float training pass of one adaptive-softmax tail cluster: n rows (the batch's tokens whose
 * targets fall in the cluster) through a projection of P units to S words (at 250k words: 50 rows
 * through 25 units to 200,000 words). Through BLAS, the cluster writes an [n, S] logit block (40 MB
 * there) and reads it four more times (log-softmax, dz^T p, dz W1) with products whose inner or
 * outer size is P, where OpenBLAS runs at about 40% of its large-matrix rate. Here the logits are never
 * stored: they are computed for a block of {@value #BLOCK} words at a time, which stays in L2 with
 * its weights, in two passes (each block's maximum and sum of exponentials; then, recomputed, the
 * gradients), the blocks shared between the engine's threads. Each block's three products run in
 * {@link RowProducts}' register tiles, and its gradient rows are written once.
 *
 * <p>Results are summed block by block in block order, so they are the same for any thread count
 * and with or without the vector module; they differ from the BLAS path only by float rounding
 * (tested). Not thread-safe (its own parallel parts aside): one per cluster.
 */
final class FusedTailSoftmax {
    /** Words per block (20 tiles of 24): 64 rows of its logits, its weights and gradient fit in L2. */
    static final int BLOCK = 480;

    private final int size;
    private final int projection;
    private final int blocks;
    /** W1^T block by block: block b's row k holds unit k's weights for the block's words, zero past S. */
    private final float[][][] weightsByBlock;
    /**
     * Each thread's blocks, kept between calls: training calls this every step for every cluster,
     * and fresh blocks each time (up to a few MB a step) are garbage the collector makes room for.
     */
    private final ThreadLocal<Scratch> scratch;
    /** Per-call arrays by row, grown to the most rows seen: block maxima, sums and dp shares. */
    private float[] blockMax = new float[0];
    private double[] blockSum = new double[0];
    private float[] dpByBlock = new float[0];

    /** One thread's logit rows [n][BLOCK], gradient rows by unit [P][BLOCK] and W1 rows [BLOCK * P]. */
    private static final class Scratch {
        float[][] z = new float[0][];
        final float[][] gradByUnit;
        final float[] rows;

        Scratch(int projection) {
            gradByUnit = new float[projection][BLOCK];
            rows = new float[BLOCK * projection];
        }

        float[][] logits(int n) {
            if (z.length < n) {
                z = new float[n][BLOCK];
            }
            return z;
        }
    }

    FusedTailSoftmax(int size, int projection) {
        this.size = size;
        this.projection = projection;
        this.blocks = (size + BLOCK - 1) / BLOCK;
        this.weightsByBlock = new float[blocks][projection][BLOCK];
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(projection));
    }

    /**
     * For n rows of projected inputs p [n, P] (row-major) and local targets: returns the summed
     * -log softmax(p W1^T)[target], writes scale * dz^T p into gradW1 [S, P] and scale * dz W1 into
     * dp [n, P], where dz = softmax(p W1^T) - onehot(target). w1 and gradW1 are row-major [S, P] at the
     * given element offsets.
     */
    double crossEntropyGradient(float[] p, int n, int[] targets, double scale, FloatBuffer w1, long w1Offset,
            FloatBuffer gradW1, long gradOffset, float[] dp) {
        // Pass 1: W1 into blocks; each block's maximum and sum of exp(z - maximum) per row (the
        // exponentials rounded as the whole-row softmax rounds them, relative to the block's maximum).
        if (blockMax.length < n * blocks) {
            blockMax = new float[n * blocks];
            blockSum = new double[n * blocks];
            dpByBlock = new float[n * blocks * projection];
        }
        float[] blockMax = this.blockMax;
        double[] blockSum = this.blockSum;
        EngineThreads.forRanges(blocks, 1, (from, to) -> {
            Scratch own = scratch.get();
            float[] rows = own.rows;
            float[][] z = own.logits(n);
            for (int b = from; b < to; b++) {
                int start = b * BLOCK;
                int width = Math.min(BLOCK, size - start);
                w1.get(Math.toIntExact(w1Offset + (long) start * projection), rows, 0, width * projection);
                float[][] block = weightsByBlock[b];
                for (int k = 0; k < projection; k++) {
                    float[] unit = block[k];
                    for (int j = 0; j < width; j++) {
                        unit[j] = rows[j * projection + k];
                    }
                }
                logits(p, n, b, z);
                for (int r = 0; r < n; r++) {
                    float max = Reductions.max(z[r], width);
                    blockMax[r * blocks + b] = max;
                    blockSum[r * blocks + b] = ExpTerms.expShifted(z[r], 0, width, max);
                }
            }
        });
        // The blocks combined in block order: each row's log-sum-exp, and the loss.
        float[] logSum = new float[n];
        double loss = 0;
        for (int r = 0; r < n; r++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int b = 0; b < blocks; b++) {
                max = Math.max(max, blockMax[r * blocks + b]);
            }
            double sum = 0;
            for (int b = 0; b < blocks; b++) {
                sum += blockSum[r * blocks + b] * Math.exp(blockMax[r * blocks + b] - max);
            }
            double lse = max + Math.log(sum);
            logSum[r] = (float) lse;
            loss -= targetLogit(p, r, targets[r]) - lse;
        }
        // Pass 2: dz = scale * (softmax - onehot), recomputed; this block's gradient rows, dz^T p
        // (written once), and its share of dp, dz W1 (summed in block order below).
        float[] pByUnit = new float[projection * n];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < projection; k++) {
                pByUnit[k * n + r] = p[r * projection + k];
            }
        }
        float[] dpByBlock = this.dpByBlock;
        float scaled = (float) scale;
        EngineThreads.forRanges(blocks, 1, (from, to) -> {
            Scratch own = scratch.get();
            float[][] z = own.logits(n);
            float[][] gradByUnit = own.gradByUnit;
            float[] rows = own.rows;
            for (int b = from; b < to; b++) {
                int start = b * BLOCK;
                int width = Math.min(BLOCK, size - start);
                int padded = padded(width);
                logits(p, n, b, z);
                for (int r = 0; r < n; r++) {
                    float[] row = z[r];
                    ExpTerms.scaledExp(row, 0, width, logSum[r], scaled);
                    Arrays.fill(row, width, padded, 0f);
                    int target = targets[r] - start;
                    if (target >= 0 && target < width) {
                        row[target] -= scaled;
                    }
                }
                for (float[] unit : gradByUnit) {
                    Arrays.fill(unit, 0, padded, 0f);
                }
                RowProducts.multiplyAdd(pByUnit, 0, n, projection, z, n, gradByUnit, padded);
                for (int k = 0; k < projection; k++) {
                    float[] unit = gradByUnit[k];
                    for (int j = 0; j < width; j++) {
                        rows[j * projection + k] = unit[j];
                    }
                }
                gradW1.put(Math.toIntExact(gradOffset + (long) start * projection), rows, 0, width * projection);
                RowProducts.dots(z, n, weightsByBlock[b], projection, padded, dpByBlock, b * n * projection,
                        projection);
            }
        });
        for (int i = 0; i < n * projection; i++) {
            double sum = 0;
            for (int b = 0; b < blocks; b++) {
                sum += dpByBlock[b * n * projection + i];
            }
            dp[i] = (float) sum;
        }
        return loss;
    }

    /** The block's width rounded up to whole tiles (its weights are zero beyond the cluster). */
    private static int padded(int width) {
        return (width + RowProducts.WIDTH - 1) / RowProducts.WIDTH * RowProducts.WIDTH;
    }

    /** z [n][BLOCK] := p W1^T for block b's words (its padded width). */
    private void logits(float[] p, int n, int b, float[][] z) {
        int padded = padded(Math.min(BLOCK, size - b * BLOCK));
        for (int r = 0; r < n; r++) {
            Arrays.fill(z[r], 0, padded, 0f);
        }
        RowProducts.multiplyAdd(p, 0, projection, n, weightsByBlock[b], projection, z, padded);
    }

    /** The target's logit, summed as the block products sum it (0 + p_0 w_0 + p_1 w_1 + ...). */
    private float targetLogit(float[] p, int r, int target) {
        float[][] block = weightsByBlock[target / BLOCK];
        int column = target % BLOCK;
        float z = 0f;
        for (int k = 0; k < projection; k++) {
            z = Math.fma(p[r * projection + k], block[k][column], z);
        }
        return z;
    }
}
