package rnn.engine;

import java.nio.FloatBuffer;
import java.util.Arrays;

import rnn.engine.kernel.Activations;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.kernel.Reductions;

/**
 * The float training pass of one adaptive-softmax tail cluster whose projection is narrow (a few
 * units) and whose words are many, as the last clusters of a large vocabulary are (250k words: 200k
 * words behind 3 units). Through BLAS, such a cluster writes an [n, S] logit block and reads it
 * four more times (log-softmax, dz^T p, dz W1) with products whose inner or outer size is the
 * projection, where OpenBLAS runs far below its rate. Here the logits are never stored: they are
 * recomputed from the projection (P multiply-adds each) in column blocks that stay in cache, in two
 * passes (each block's maximum and sum of exponentials; then the gradients), and each block's
 * gradient rows are written once.
 *
 * <p>Results are summed block by block in block order, so they are the same for any thread count;
 * they differ from the BLAS path only by float rounding (tested). Not thread-safe: one per cluster.
 */
final class NarrowTailSoftmax {
    /** Columns per block: a block's logits, weights and gradient stay within L2. */
    static final int BLOCK = 2048;

    private final int size;
    private final int projection;
    private final int blocks;
    /** W1 by unit, [P][S]: the passes read one unit's weights for a block of words contiguously. */
    private final float[][] weightsByUnit;

    NarrowTailSoftmax(int size, int projection) {
        this.size = size;
        this.projection = projection;
        this.blocks = (size + BLOCK - 1) / BLOCK;
        this.weightsByUnit = new float[projection][size];
    }

    /**
     * For n rows of projected inputs p [n, P] (row-major) and local targets: returns the summed
     * -log softmax(p W1^T)[target], writes scale * dz^T p into gradW1 [S, P] and scale * dz W1 into
     * dp [n, P], where dz = softmax(p W1^T) - onehot(target). w1 and gradW1 are row-major [S, P] at the
     * given element offsets.
     */
    double crossEntropyGradient(float[] p, int n, int[] targets, double scale, FloatBuffer w1, long w1Offset,
            FloatBuffer gradW1, long gradOffset, float[] dp) {
        // Pass 1: each block's maximum and sum of exp(z - maximum) per row (the exponentials are
        // rounded as the whole-row softmax rounds them, relative to the block's maximum).
        float[] blockMax = new float[n * blocks];
        double[] blockSum = new double[n * blocks];
        EngineThreads.forRanges(blocks, 1, (from, to) -> {
            float[] rows = new float[BLOCK * projection];
            float[] z = new float[BLOCK];
            for (int b = from; b < to; b++) {
                int start = b * BLOCK;
                int width = Math.min(BLOCK, size - start);
                w1.get(Math.toIntExact(w1Offset + (long) start * projection), rows, 0, width * projection);
                transpose(rows, width, start);
                for (int r = 0; r < n; r++) {
                    logits(p, r, start, width, z);
                    float max = Reductions.max(z, width);
                    blockMax[r * blocks + b] = max;
                    blockSum[r * blocks + b] = expShiftedSum(z, width, max);
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
        // Pass 2: dz = scale * (softmax - onehot), its products with p (this block's gradient rows,
        // written once) and with W1 (this block's share of dp, summed in block order below).
        float[] dpByBlock = new float[blocks * n * projection];
        float scaled = (float) scale;
        EngineThreads.forRanges(blocks, 1, (from, to) -> {
            float[] z = new float[BLOCK];
            float[][] grad = new float[projection][BLOCK];
            float[] rows = new float[BLOCK * projection];
            for (int b = from; b < to; b++) {
                int start = b * BLOCK;
                int width = Math.min(BLOCK, size - start);
                for (float[] g : grad) {
                    Arrays.fill(g, 0f);
                }
                for (int r = 0; r < n; r++) {
                    logits(p, r, start, width, z);
                    softmaxGradient(z, width, logSum[r], scaled);
                    int target = targets[r] - start;
                    if (target >= 0 && target < width) {
                        z[target] -= scaled;
                    }
                    for (int k = 0; k < projection; k++) {
                        addScaled(grad[k], z, 0, p[r * projection + k], width);
                        dpByBlock[(b * n + r) * projection + k] = dot(z, weightsByUnit[k], start, width);
                    }
                }
                for (int j = 0; j < width; j++) {
                    for (int k = 0; k < projection; k++) {
                        rows[j * projection + k] = grad[k][j];
                    }
                }
                gradW1.put(Math.toIntExact(gradOffset + (long) start * projection), rows, 0, width * projection);
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

    /** weightsByUnit[k][start + j] = rows[j][k] for the block's rows of W1. */
    private void transpose(float[] rows, int width, int start) {
        for (int k = 0; k < projection; k++) {
            float[] unit = weightsByUnit[k];
            for (int j = 0; j < width; j++) {
                unit[start + j] = rows[j * projection + k];
            }
        }
    }

    /** z[j] = p_r . W1[start + j] for j in [0, width), up to four units per pass over z. */
    private void logits(float[] p, int r, int start, int width, float[] z) {
        int at = r * projection;
        int k = 0;
        boolean first = true;
        for (; k + 4 <= projection; k += 4) {
            add4(z, first, weightsByUnit[k], weightsByUnit[k + 1], weightsByUnit[k + 2], weightsByUnit[k + 3], start,
                    p[at + k], p[at + k + 1], p[at + k + 2], p[at + k + 3], width);
            first = false;
        }
        for (; k < projection; k++) {
            if (first) {
                Arrays.fill(z, 0, width, 0f);
                first = false;
            }
            addScaled(z, weightsByUnit[k], start, p[at + k], width);
        }
    }

    private float targetLogit(float[] p, int r, int target) {
        float[] z = new float[1];
        logits(p, r, target, 1, z);
        return z[0];
    }

    // Small element loops of their own, so that C2 compiles (and vectorizes) each once; the dot
    // product keeps eight sums as Reductions does.

    /** a[j] += factor * b[bFrom + j]. */
    private static void addScaled(float[] a, float[] b, int bFrom, float factor, int width) {
        for (int j = 0; j < width; j++) {
            a[j] += factor * b[bFrom + j];
        }
    }

    /** z[j] (= or +=) a0 w0[from + j] + ... + a3 w3[from + j]: four units in one pass over z. */
    private static void add4(float[] z, boolean first, float[] w0, float[] w1, float[] w2, float[] w3, int from,
            float a0, float a1, float a2, float a3, int width) {
        if (first) {
            for (int j = 0; j < width; j++) {
                z[j] = a0 * w0[from + j] + a1 * w1[from + j] + a2 * w2[from + j] + a3 * w3[from + j];
            }
        } else {
            for (int j = 0; j < width; j++) {
                z[j] += a0 * w0[from + j] + a1 * w1[from + j] + a2 * w2[from + j] + a3 * w3[from + j];
            }
        }
    }

    /** Sum of exp(max(-30, z[j] - max)), as the softmax over a whole row rounds its terms; z is overwritten. */
    private static double expShiftedSum(float[] z, int width, float max) {
        for (int j = 0; j < width; j++) {
            z[j] = Activations.expf(Math.max(-Activations.FLOAT_FLOOR, z[j] - max));
        }
        return Reductions.sum(z, width);
    }

    /** z[j] := scale * exp(max(-30, z[j] - logSum)): the softmax times the loss scale. */
    private static void softmaxGradient(float[] z, int width, float logSum, float scale) {
        for (int j = 0; j < width; j++) {
            z[j] = scale * Activations.expf(Math.max(-Activations.FLOAT_FLOOR, z[j] - logSum));
        }
    }

    private static float dot(float[] a, float[] b, int bFrom, int width) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = 0;
        for (; j + 8 <= width; j += 8) {
            s0 += a[j] * b[bFrom + j];
            s1 += a[j + 1] * b[bFrom + j + 1];
            s2 += a[j + 2] * b[bFrom + j + 2];
            s3 += a[j + 3] * b[bFrom + j + 3];
            s4 += a[j + 4] * b[bFrom + j + 4];
            s5 += a[j + 5] * b[bFrom + j + 5];
            s6 += a[j + 6] * b[bFrom + j + 6];
            s7 += a[j + 7] * b[bFrom + j + 7];
        }
        for (; j < width; j++) {
            s0 += a[j] * b[bFrom + j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
