package rnn.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import rnn.engine.Batch;
import rnn.engine.CellType;
import rnn.engine.kernel.EngineThreads;
import rnn.engine.Initialization;
import rnn.engine.LanguageModel;
import rnn.engine.ModelConfig;
import rnn.engine.Objective;
import rnn.engine.Parameters;
import rnn.engine.RecurrentState;
import rnn.engine.loss.Loss;
import rnn.engine.optim.Sgd;

/**
 * Times one full training step of the engine: {@code computeGradients} (forward, softmax
 * cross-entropy, backward), global gradient clipping and a plain SGD update, with the state
 * carried from batch to batch, at the Penn Treebank "small" shape by default (2 x 200, embedding
 * 200, vocabulary 10,000, batch 20, window 20, objective ALL, FLOAT). Not a unit test: run it
 * through {@code scripts/bench-engine.sh}.
 *
 * <p>Reports the median ms/step, tokens/s (B*T tokens per step over the median), a breakdown
 * (forward and loss timed on their own, backward = step - forward - loss), and the FLOP
 * utilisation: model FLOPs per token x tokens/s over the sgemm rate measured in the same run on
 * (B*T x H) x (H x V) into a preallocated output. The forward pass, the loss and that sgemm are
 * timed in every iteration next to the step, so all figures share the machine's conditions (these
 * machines are shared, and their speed drifts by tens of percent). Model FLOPs per token = 6 x (weights that take
 * part in matrix products) = 6 x (sum over layers of G*H*(In + H) + V*H): 2 per multiply-add
 * forward, 4 backward (input and weight gradients); element-wise work and the embedding lookup
 * are not counted.
 */
public final class EngineBenchmark {
    private EngineBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        CellType cell = CellType.valueOf(options.getOrDefault("cell", "LSTM").toUpperCase(Locale.ROOT));
        int hidden = Integer.parseInt(options.getOrDefault("hidden", "200"));
        int embedding = Integer.parseInt(options.getOrDefault("embedding", "200"));
        int layers = Integer.parseInt(options.getOrDefault("layers", "2"));
        int batchSize = Integer.parseInt(options.getOrDefault("batch", "20"));
        int window = Integer.parseInt(options.getOrDefault("window", "20"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "20"));
        int steps = Integer.parseInt(options.getOrDefault("steps", "100"));
        double lr = Double.parseDouble(options.getOrDefault("lr", "20"));
        double clip = Double.parseDouble(options.getOrDefault("clip", "0.25"));
        String data = options.get("data");
        EngineThreads.set(Integer.parseInt(options.getOrDefault("engine-threads", "1")));

        int[] corpus;
        int vocab;
        if (data != null) {
            Map<String, Integer> ids = new HashMap<>();
            corpus = readTokens(Path.of(data, "train.txt"), ids);
            vocab = ids.size();
        } else {
            vocab = Integer.parseInt(options.getOrDefault("vocab", "10000"));
            corpus = new SplittableRandom(1).ints(1_000_000, 0, vocab).toArray();
        }

        ModelConfig config = new ModelConfig(cell, vocab, embedding, hidden, layers, 0, false);
        LanguageModel model = LanguageModel.initialize(config, Initialization.uniform(0.1), 1, DataType.FLOAT);
        Parameters parameters = model.parameters();
        Windows windows = new Windows(corpus, batchSize, window);
        RecurrentState state = model.newState(batchSize);
        int tokensPerStep = batchSize * window;
        // Flat views of every value and gradient (whole c-order arrays), for one in-place axpy each.
        Sgd sgd = new Sgd();

        // Each iteration times, under the same machine conditions: the forward pass alone (on a
        // state of its own), the loss alone on its logits, one sgemm of the decoder's size into a
        // preallocated output, and then the measured training step proper: computeGradients, clip,
        // SGD update, with the training state carried across batches.
        int total = warmup + steps;
        double[] stepMs = new double[steps];
        double[] computeMs = new double[steps];
        double[] clipMs = new double[steps];
        double[] updateMs = new double[steps];
        double[] forwardMs = new double[steps];
        double[] lossMs = new double[steps];
        double[] gemmMs = new double[steps];
        RecurrentState forwardState = model.newState(batchSize);
        INDArray work = Nd4j.create(DataType.FLOAT, tokensPerStep, vocab);
        INDArray gemmA = Nd4j.rand(DataType.FLOAT, tokensPerStep, hidden);
        INDArray gemmB = Nd4j.rand(DataType.FLOAT, hidden, vocab);
        INDArray gemmC = Nd4j.create(DataType.FLOAT, tokensPerStep, vocab);
        double firstLoss = 0;
        double lastLoss = 0;
        for (int i = 0; i < total; i++) {
            Batch batch = windows.next();
            long f0 = System.nanoTime();
            INDArray logits = model.logits(batch, forwardState);
            long f1 = System.nanoTime();
            Loss.CROSS_ENTROPY.apply(logits, batch.targets(), work, 1.0 / batch.predictions());
            long f2 = System.nanoTime();
            Nd4j.gemm(gemmA, gemmB, gemmC, false, false, 1.0, 0.0);
            long f3 = System.nanoTime();

            long t0 = System.nanoTime();
            double loss = model.computeGradients(batch, state, Loss.CROSS_ENTROPY, i);
            long t1 = System.nanoTime();
            double scale = parameters.clipScale(clip);
            long t2 = System.nanoTime();
            sgd.step(parameters, lr, scale);
            long t3 = System.nanoTime();
            if (i == 0) {
                firstLoss = loss;
            }
            lastLoss = loss;
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("loss " + loss + " at step " + i);
            }
            if (i >= warmup) {
                int k = i - warmup;
                forwardMs[k] = (f1 - f0) / 1e6;
                lossMs[k] = (f2 - f1) / 1e6;
                gemmMs[k] = (f3 - f2) / 1e6;
                computeMs[k] = (t1 - t0) / 1e6;
                clipMs[k] = (t2 - t1) / 1e6;
                updateMs[k] = (t3 - t2) / 1e6;
                stepMs[k] = (t3 - t0) / 1e6;
            }
        }
        double gemmGflops = 2.0 * tokensPerStep * hidden * vocab / (median(gemmMs) / 1000) / 1e9;
        double smallGemmGflops = gemmRate(batchSize, hidden, cell.gates() * hidden, 2000);

        long matmulWeights = (long) vocab * hidden;
        for (int k = 0; k < layers; k++) {
            matmulWeights += (long) cell.gates() * hidden * (config.inputSize(k) + hidden);
        }
        double flopsPerToken = 6.0 * matmulWeights;
        double step = median(stepMs);
        double tokensPerSecond = tokensPerStep / (step / 1000);
        double achieved = flopsPerToken * tokensPerSecond / 1e9;
        double forward = median(forwardMs);
        double lossPart = median(lossMs);
        double compute = median(computeMs);

        System.out.printf(Locale.ROOT, "cell %s  layers %d  hidden %d  embedding %d  vocab %d  batch %d  window %d  "
                        + "FLOAT  params %,d  data %s%n", cell, layers, hidden, embedding, vocab, batchSize, window,
                parameters.count(), data == null ? "random ids" : data);
        System.out.printf(Locale.ROOT, "threads: nd4j %d, engine %d; OPENBLAS_CORETYPE=%s; %d warm-up + %d timed steps; "
                        + "loss %.3f -> %.3f%n", Nd4j.getEnvironment().maxThreads(),
                EngineThreads.configured(), System.getenv().getOrDefault("OPENBLAS_CORETYPE", "(unset)"),
                warmup, steps, firstLoss, lastLoss);
        double mean = Arrays.stream(stepMs).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "step      median %7.2f ms  (p10 %.2f, p90 %.2f)  -> %,.0f tokens/s;"
                        + " mean %.2f ms -> %,.0f tokens/s%n", step, percentile(stepMs, 0.1), percentile(stepMs, 0.9),
                tokensPerSecond, mean, tokensPerStep / (mean / 1000));
        System.out.printf(Locale.ROOT, "  computeGradients %7.2f ms = forward %.2f + loss %.2f + backward %.2f (by difference)%n",
                compute, forward, lossPart, compute - forward - lossPart);
        System.out.printf(Locale.ROOT, "  clip norm %.2f ms, SGD update (clip scale applied) %.2f ms%n", median(clipMs), median(updateMs));
        System.out.printf(Locale.ROOT, "model FLOPs/token = 6 x %,d matmul weights = %.2f MFLOP; achieved %.1f GFLOP/s%n",
                matmulWeights, flopsPerToken / 1e6, achieved);
        System.out.printf(Locale.ROOT, "sgemm (%dx%d)x(%dx%d): %.1f GFLOP/s; recurrent-step sgemm (%dx%d)x(%dx%d): %.1f GFLOP/s%n",
                tokensPerStep, hidden, hidden, vocab, gemmGflops, batchSize, hidden, hidden, cell.gates() * hidden,
                smallGemmGflops);
        System.out.printf(Locale.ROOT, "FLOP utilisation = %.1f / %.1f = %.1f%%%n", achieved, gemmGflops,
                100 * achieved / gemmGflops);
        System.out.printf(Locale.ROOT, "{\"cell\":\"%s\",\"median_ms\":%.3f,\"tokens_per_s\":%.1f,\"forward_ms\":%.3f,"
                        + "\"loss_ms\":%.3f,\"backward_ms\":%.3f,\"clip_ms\":%.3f,\"update_ms\":%.3f,"
                        + "\"mflop_per_token\":%.3f,\"sgemm_gflops\":%.1f,\"utilisation\":%.4f}%n",
                cell, step, tokensPerSecond, forward, lossPart, compute - forward - lossPart, median(clipMs),
                median(updateMs), flopsPerToken / 1e6, gemmGflops, achieved / gemmGflops);
    }

    /** Median GFLOP/s of c = a b for a [m, k], b [k, n], c preallocated, after a warm-up. */
    static double gemmRate(int m, int k, int n, int repeats) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
        for (int i = 0; i < Math.max(3, repeats / 5); i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return 2.0 * m * k * n / (median(ms) / 1000) / 1e9;
    }

    /** The corpus split into B contiguous streams, read T steps at a time, wrapping at the end. */
    private static final class Windows {
        private final int[] corpus;
        private final int batch;
        private final int window;
        private final int streamLength;
        private int position;

        Windows(int[] corpus, int batch, int window) {
            this.corpus = corpus;
            this.batch = batch;
            this.window = window;
            this.streamLength = corpus.length / batch;
            if (streamLength < window + 1) {
                throw new IllegalArgumentException("corpus of " + corpus.length + " tokens is too short");
            }
        }

        Batch next() {
            if (position + window + 1 > streamLength) {
                position = 0;
            }
            int[] inputs = new int[batch * window];
            int[] targets = new int[batch * window];
            for (int t = 0; t < window; t++) {
                for (int b = 0; b < batch; b++) {
                    inputs[t * batch + b] = corpus[b * streamLength + position + t];
                    targets[t * batch + b] = corpus[b * streamLength + position + t + 1];
                }
            }
            position += window;
            return new Batch(batch, window, inputs, targets, Objective.ALL);
        }
    }

    /** Whitespace tokens plus {@code <eos>} per line, ids in order of first appearance (as torch_lm.py). */
    private static int[] readTokens(Path file, Map<String, Integer> ids) throws IOException {
        List<Integer> tokens = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            List<String> words = new ArrayList<>(trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+")));
            words.add("<eos>");
            for (String w : words) {
                tokens.add(ids.computeIfAbsent(w, k -> ids.size()));
            }
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double median(double[] values) {
        return percentile(values, 0.5);
    }

    private static double percentile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double at = q * (sorted.length - 1);
        int low = (int) Math.floor(at);
        int high = (int) Math.ceil(at);
        return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: EngineBenchmark [--cell LSTM|GRU|GRU_CLASSIC|RNN] [--hidden 200] "
                        + "[--embedding 200] [--layers 2] [--vocab 10000] [--batch 20] [--window 20] [--warmup 20] "
                        + "[--steps 100] [--lr 20] [--clip 0.25] [--data DIR with train.txt]");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
