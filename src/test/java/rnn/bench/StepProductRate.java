package rnn.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.kernel.EngineThreads;
import rnn.engine.kernel.PanelWeights;
import rnn.engine.kernel.SmallGemm;

/**
 * The per-step recurrent product alone, h_prev W_hh^T for an LSTM of hidden size H (rows x H by
 * H x 4H, default 20 x 200 by 200 x 800, the Penn Treebank models' training step), median GFLOP/s
 * of 30 timings of 200 calls each: as the engine hands it to OpenBLAS (W_hh transposed in the
 * call, on the engine's threads), as {@link SmallGemm} runs it (W_hh^T copied row-major, inference)
 * and as {@link PanelWeights} runs it (training's kernel: vector panels with the JVM's
 * jdk.incubator.vector module, else SmallGemm's rows). Arguments: rows (default 20), engine
 * threads as for --threads (default 1), H (default 200). Prints "blas java panel" GFLOP/s on one
 * line.
 */
public final class StepProductRate {
    private static final int CALLS = 200;
    private static final int TIMINGS = 30;

    private StepProductRate() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        EngineThreads.configure(args.length > 1 ? Integer.parseInt(args[1]) : 1);
        int hidden = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int width = 4 * hidden;
        SplittableRandom random = new SplittableRandom(1);
        float[] h = new float[rows * hidden];
        float[] weight = new float[width * hidden];  // W_hh [4H, H]
        float[] transposed = new float[hidden * width];  // W_hh^T [H, 4H]
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) random.nextDouble(-1, 1);
        }
        for (int r = 0; r < width; r++) {
            for (int c = 0; c < hidden; c++) {
                weight[r * hidden + c] = (float) random.nextDouble(-0.1, 0.1);
                transposed[c * width + r] = weight[r * hidden + c];
            }
        }
        INDArray hArray = Nd4j.createFromArray(h).reshape(rows, hidden);
        INDArray wArray = Nd4j.createFromArray(weight).reshape(width, hidden);
        INDArray out = Nd4j.create(DataType.FLOAT, rows, width);
        FloatPointer hp = new FloatPointer(hArray.data().addressPointer());
        FloatPointer wp = new FloatPointer(wArray.data().addressPointer());
        FloatPointer op = new FloatPointer(out.data().addressPointer());
        float[] c = new float[rows * width];
        float[][] wRows = SmallGemm.rows(transposed, hidden, width);
        float[][] scratch = new float[rows][width];
        double flops = 2.0 * rows * hidden * width * CALLS;
        double blas = rate(flops, () -> {
            for (int i = 0; i < CALLS; i++) {
                openblas_nolapack.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, width, hidden, 1f, hp,
                        hidden, wp, hidden, 1f, op, width);
            }
        });
        double java = rate(flops, () -> {
            for (int i = 0; i < CALLS; i++) {
                SmallGemm.multiplyAdd(h, 0, hidden, rows, wRows, c, 0, width, scratch);
            }
        });
        PanelWeights panel = PanelWeights.create(hidden, width);
        System.arraycopy(transposed, 0, panel.source(), 0, transposed.length);
        panel.pack(false);
        double panels = rate(flops, () -> {
            for (int i = 0; i < CALLS; i++) {
                panel.multiplyAdd(h, 0, hidden, rows, c, 0, width);
            }
        });
        System.out.printf(Locale.ROOT, "%.2f %.2f %.2f%n", blas, java, panels);
    }

    /** Median GFLOP/s of {@value #TIMINGS} timings of {@code body} (after as many untimed runs). */
    private static double rate(double flops, Runnable body) {
        for (int i = 0; i < TIMINGS; i++) {
            body.run();
        }
        double[] seconds = new double[TIMINGS];
        for (int i = 0; i < TIMINGS; i++) {
            long t0 = System.nanoTime();
            body.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(seconds);
        return flops / seconds[TIMINGS / 2] / 1e9;
    }
}
