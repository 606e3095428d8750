package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import rnn.engine.kernel.EngineThreads;

/**
 * The fused pass of a narrow tail cluster ({@link NarrowTailSoftmax}) against the definition computed
 * in double by plain loops, on a cluster of several column blocks and a partial last one, with
 * targets in different blocks and buffers at non-zero offsets; and the same bits on one and on two
 * threads. (AdaptiveSoftmaxTest's float-against-double cases run it inside the model.)
 */
class NarrowTailSoftmaxTest {
    private static final int SIZE = 2 * NarrowTailSoftmax.BLOCK + 37;
    private static final int PROJECTION = 3;
    private static final int ROWS = 6;
    private static final int OFFSET = 5;
    private static final double SCALE = 0.25;

    private record Result(double loss, float[] gradW1, float[] dp) {
    }

    @Test
    void matchesTheDefinitionOverSeveralBlocks() {
        SplittableRandom random = new SplittableRandom(11);
        float[] p = new float[ROWS * PROJECTION];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (random.nextDouble() * 4 - 2);
        }
        float[] w1 = new float[SIZE * PROJECTION];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = (float) (random.nextDouble() * 2 - 1);
        }
        int[] targets = {0, 5, NarrowTailSoftmax.BLOCK - 1, NarrowTailSoftmax.BLOCK, 2 * NarrowTailSoftmax.BLOCK + 3, SIZE - 1};

        Result got = run(p, w1, targets);

        double loss = 0;
        double[] gradW1 = new double[SIZE * PROJECTION];
        double[] dp = new double[ROWS * PROJECTION];
        for (int r = 0; r < ROWS; r++) {
            double[] z = new double[SIZE];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < SIZE; j++) {
                for (int k = 0; k < PROJECTION; k++) {
                    z[j] += (double) p[r * PROJECTION + k] * w1[j * PROJECTION + k];
                }
                max = Math.max(max, z[j]);
            }
            double sum = 0;
            for (int j = 0; j < SIZE; j++) {
                sum += Math.exp(z[j] - max);
            }
            loss -= z[targets[r]] - max - Math.log(sum);
            for (int j = 0; j < SIZE; j++) {
                double dz = SCALE * (Math.exp(z[j] - max) / sum - (j == targets[r] ? 1 : 0));
                for (int k = 0; k < PROJECTION; k++) {
                    gradW1[j * PROJECTION + k] += dz * p[r * PROJECTION + k];
                    dp[r * PROJECTION + k] += dz * w1[j * PROJECTION + k];
                }
            }
        }
        assertEquals(loss, got.loss(), 1e-5 * loss);
        for (int i = 0; i < gradW1.length; i++) {
            assertEquals(gradW1[i], got.gradW1()[i], 1e-6, "gradW1[" + i + "]");
        }
        for (int i = 0; i < dp.length; i++) {
            assertEquals(dp[i], got.dp()[i], 1e-6, "dp[" + i + "]");
        }

        int before = EngineThreads.configured();
        try {
            EngineThreads.set(1);
            Result one = run(p, w1, targets);
            EngineThreads.set(2);
            Result two = run(p, w1, targets);
            assertEquals(one.loss(), two.loss());
            assertArrayEquals(one.gradW1(), two.gradW1());
            assertArrayEquals(one.dp(), two.dp());
        } finally {
            EngineThreads.set(before);
        }
    }

    /** One pass with W1 and its gradient at an offset of a larger buffer, as parameter views are. */
    private static Result run(float[] p, float[] w1, int[] targets) {
        FloatBuffer weights = FloatBuffer.allocate(OFFSET + w1.length);
        weights.put(OFFSET, w1);
        FloatBuffer gradient = FloatBuffer.allocate(OFFSET + w1.length + 4);
        float[] dp = new float[ROWS * PROJECTION];
        double loss = new NarrowTailSoftmax(SIZE, PROJECTION).crossEntropyGradient(p, ROWS, targets, SCALE, weights,
                OFFSET, gradient, OFFSET, dp);
        float[] gradW1 = new float[w1.length];
        gradient.get(OFFSET, gradW1);
        return new Result(loss, gradW1, dp);
    }
}
