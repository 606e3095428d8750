package rnn.engine.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.kernel.EngineThreads;

/** The one-pass Java softmax against hand-computed values, and the same on one thread or two. */
class SoftmaxTest {
    @Test
    void matchesHandComputedValues() {
        INDArray logits = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {-1000, 0, 1000}});
        INDArray work = Nd4j.create(DataType.DOUBLE, 2, 3);
        Softmax.Result result = Softmax.into(logits, new int[] {0, 2}, work);
        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertArrayEquals(new double[] {Math.exp(1) / sum, Math.exp(2) / sum, Math.exp(3) / sum},
                work.getRow(0).toDoubleVector(), 1e-14);
        assertArrayEquals(new double[] {0, 0, 1}, work.getRow(1).toDoubleVector(), 1e-15);
        assertEquals(1 - Math.log(sum), result.targetLogProbabilities()[0], 1e-14);
        assertEquals(0, result.targetLogProbabilities()[1], 1e-15, "no overflow at +-1000");

        Softmax.crossEntropyGradient(logits, new int[] {0, 2}, work, 0.5);
        assertEquals(0.5 * (Math.exp(1) / sum - 1), work.getDouble(0, 0), 1e-14);
        assertEquals(0.5 * Math.exp(3) / sum, work.getDouble(0, 2), 1e-14);
    }

    @Test
    void twoThreadsGiveBitIdenticalRows() {
        SplittableRandom random = new SplittableRandom(5);
        int rows = 300;
        int vocab = 997;
        double[][] values = new double[rows][vocab];
        int[] targets = new int[rows];
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < vocab; j++) {
                values[m][j] = random.nextGaussian() * 4;
            }
            targets[m] = random.nextInt(vocab);
        }
        INDArray logits = Nd4j.createFromArray(values).castTo(DataType.FLOAT);
        INDArray one = Nd4j.create(DataType.FLOAT, rows, vocab);
        INDArray two = Nd4j.create(DataType.FLOAT, rows, vocab);
        int before = EngineThreads.configured();
        try {
            EngineThreads.set(1);
            double[] logPOne = Softmax.crossEntropyGradient(logits, targets, one, 0.01).targetLogProbabilities();
            EngineThreads.set(2);
            double[] logPTwo = Softmax.crossEntropyGradient(logits, targets, two, 0.01).targetLogProbabilities();
            assertArrayEquals(logPOne, logPTwo, 0.0);
            assertArrayEquals(one.ravel().toFloatVector(), two.ravel().toFloatVector(), 0f);
        } finally {
            EngineThreads.set(before);
        }
    }

    @Test
    void theFusedBiasPathEqualsAddingTheBiasAndSummingColumns() {
        SplittableRandom random = new SplittableRandom(8);
        int rows = 130;
        int vocab = 61;
        double[][] values = new double[rows][vocab];
        double[] biasValues = new double[vocab];
        int[] targets = new int[rows];
        for (int m = 0; m < rows; m++) {
            for (int j = 0; j < vocab; j++) {
                values[m][j] = random.nextGaussian() * 3;
            }
            targets[m] = random.nextInt(vocab);
        }
        for (int j = 0; j < vocab; j++) {
            biasValues[j] = random.nextGaussian();
        }
        INDArray logits = Nd4j.createFromArray(values);
        INDArray bias = Nd4j.createFromArray(biasValues);
        INDArray expected = Nd4j.create(DataType.DOUBLE, rows, vocab);
        double expectedLoss = -sum(Softmax.crossEntropyGradient(logits.addRowVector(bias), targets, expected, 0.1)
                .targetLogProbabilities());
        int before = EngineThreads.configured();
        try {
            for (int threads : new int[] {1, 2}) {
                EngineThreads.set(threads);
                INDArray work = Nd4j.create(DataType.DOUBLE, rows, vocab);
                INDArray biasGradient = Nd4j.ones(DataType.DOUBLE, vocab);
                double loss = Softmax.crossEntropyGradient(logits, bias, targets, work, 0.1, biasGradient);
                assertEquals(expectedLoss, loss, 1e-9);
                assertArrayEquals(expected.ravel().toDoubleVector(), work.ravel().toDoubleVector(), 1e-15);
                assertArrayEquals(expected.sum(0).toDoubleVector(), biasGradient.toDoubleVector(), 1e-12,
                        "column sums, replacing what the gradient held");
            }
        } finally {
            EngineThreads.set(before);
        }
    }

    private static double sum(double[] values) {
        double total = 0;
        for (double v : values) {
            total += v;
        }
        return total;
    }
}
