package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import rnn.engine.kernel.EngineThreads;

/**
 * The fused pass of a tail cluster ({@link FusedTailSoftmax}) against the definition computed
 * in double by plain loops, on a cluster of several column blocks and a partial last one, with
 * targets in different blocks and buffers at non-zero offsets, for a narrow and a wide projection
 * (6 rows: one four-row tile and two single rows); and the same bits on one and on two threads.
 * (AdaptiveSoftmaxTest's float-against-double cases run it inside the model.)
 */
class FusedTailSoftmaxTest {
    private static final int SIZE = 2 * FusedTailSoftmax.BLOCK + 37;
    private static final int ROWS = 6;
    private static final int OFFSET = 5;
    private static final double SCALE = 0.25;

    private record Result(double loss, float[] gradW1, float[] dp) {
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 25})
    void matchesTheDefinitionOverSeveralBlocks(int projection) {
        SplittableRandom random = new SplittableRandom(11);
        float[] p = new float[ROWS * projection];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (random.nextDouble() * 4 - 2);
        }
        float[] w1 = new float[SIZE * projection];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = (float) (random.nextDouble() * 2 - 1);
        }
        int[] targets = {0, 5, FusedTailSoftmax.BLOCK - 1, FusedTailSoftmax.BLOCK, 2 * FusedTailSoftmax.BLOCK + 3, SIZE - 1};

        Result got = run(p, w1, targets, projection);

        double loss = 0;
        double[] gradW1 = new double[SIZE * projection];
        double[] dp = new double[ROWS * projection];
        for (int r = 0; r < ROWS; r++) {
            double[] z = new double[SIZE];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < SIZE; j++) {
                for (int k = 0; k < projection; k++) {
                    z[j] += (double) p[r * projection + k] * w1[j * projection + k];
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
                for (int k = 0; k < projection; k++) {
                    gradW1[j * projection + k] += dz * p[r * projection + k];
                    dp[r * projection + k] += dz * w1[j * projection + k];
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
            Result one = run(p, w1, targets, projection);
            EngineThreads.set(2);
            Result two = run(p, w1, targets, projection);
            assertEquals(one.loss(), two.loss());
            assertArrayEquals(one.gradW1(), two.gradW1());
            assertArrayEquals(one.dp(), two.dp());
        } finally {
            EngineThreads.set(before);
        }
    }

    /** One pass with W1 and its gradient at an offset of a larger buffer, as parameter views are. */
    private static Result run(float[] p, float[] w1, int[] targets, int projection) {
        FloatBuffer weights = FloatBuffer.allocate(OFFSET + w1.length);
        weights.put(OFFSET, w1);
        FloatBuffer gradient = FloatBuffer.allocate(OFFSET + w1.length + 4);
        float[] dp = new float[ROWS * projection];
        double loss = new FusedTailSoftmax(SIZE, projection).crossEntropyGradient(p, ROWS, targets, SCALE, weights,
                OFFSET, gradient, OFFSET, dp);
        float[] gradW1 = new float[w1.length];
        gradient.get(OFFSET, gradW1);
        return new Result(loss, gradW1, dp);
    }
}
