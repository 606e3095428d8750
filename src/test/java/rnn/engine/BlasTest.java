package rnn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Direct BLAS products against ND4J's own, on whole arrays and on row and column blocks. */
class BlasTest {
    @Test
    void blocksAndWholeArraysGiveNd4jsProductAndTouchNothingElse() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray big = Nd4j.rand(type, 10, 7);
            INDArray[] inputs = {
                Nd4j.rand(type, 3, 5),
                big.get(NDArrayIndex.interval(2, 5), NDArrayIndex.interval(0, 5)),   // row block
                big.get(NDArrayIndex.interval(4, 7), NDArrayIndex.interval(1, 6)),   // column block, offset 1
            };
            for (INDArray a : inputs) {
                for (boolean transB : new boolean[] {false, true}) {
                    INDArray b = transB ? Nd4j.rand(type, 4, 5) : Nd4j.rand(type, 5, 4);
                    INDArray outer = Nd4j.ones(type, 8, 9);
                    INDArray c = outer.get(NDArrayIndex.interval(3, 6), NDArrayIndex.interval(2, 6));
                    INDArray expected = a.mmul(transB ? b.transpose() : b).addi(c.mul(0.5));
                    assertTrue(Blas.gemm(a, b, c, false, transB, 0.5));
                    assertArrayEquals(expected.toDoubleMatrix()[0], c.toDoubleMatrix()[0], 1e-5);
                    assertArrayEquals(expected.toDoubleMatrix()[2], c.toDoubleMatrix()[2], 1e-5);
                    c.assign(1);
                    assertEquals(1.0, outer.minNumber().doubleValue(), 0.0, "every element outside the block still 1");
                    assertEquals(1.0, outer.maxNumber().doubleValue(), 0.0, "every element outside the block still 1");
                }
            }
            INDArray a = Nd4j.rand(type, 5, 3);
            INDArray c = Nd4j.create(type, 3, 4);
            INDArray b = Nd4j.rand(type, 5, 4);
            assertTrue(Blas.gemm(a, b, c, true, false, 0.0));
            assertArrayEquals(a.transpose().mmul(b).toDoubleMatrix()[1], c.toDoubleMatrix()[1], 1e-5);
        }
    }

    @Test
    void mismatchedShapesAreRefusedAndStridedRowsLeftToNd4j() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 5);
        assertThrows(IllegalArgumentException.class,
                () -> Blas.gemm(a, Nd4j.rand(DataType.FLOAT, 4, 4), Nd4j.create(DataType.FLOAT, 3, 4), false, false, 0));
        INDArray transposedView = Nd4j.rand(DataType.FLOAT, 5, 3).transpose();
        INDArray c = Nd4j.create(DataType.FLOAT, 3, 4);
        assertFalse(Blas.gemm(transposedView, Nd4j.rand(DataType.FLOAT, 5, 4), c, false, false, 0));
        Ops.gemm(transposedView, Nd4j.rand(DataType.FLOAT, 5, 4).assign(1), c, false, false, 0);
        assertEquals(transposedView.sum(1).getDouble(0), c.getDouble(0, 0), 1e-5, "ND4J's path still computes it");
    }

    @Test
    void tiledProductOfTheFirstRowsGivesThoseRowsOfTheWholeProduct() {
        // 3 x 50 x 40: one call in the small kernels; 7 x 200 x 1000: tiles of 4 rows and fewer columns.
        for (int[] size : new int[][] {{3, 50, 40}, {7, 200, 1000}}) {
            int k = size[1];
            int n = size[2];
            INDArray a = Nd4j.rand(DataType.FLOAT, 8, k);
            INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
            INDArray c = Nd4j.rand(DataType.FLOAT, 8, n);
            INDArray expected = a.mmul(b).addi(c);
            INDArray untouched = c.dup();
            int m = size[0];
            assertTrue(Blas.gemmTiled(a, b, c, 1.0, m));
            for (int row = 0; row < 8; row++) {
                double[] want = (row < m ? expected : untouched).getRow(row).toDoubleVector();
                assertArrayEquals(want, c.getRow(row).toDoubleVector(), row < m ? 1e-3 : 0.0, "row " + row);
            }
        }
    }
}
