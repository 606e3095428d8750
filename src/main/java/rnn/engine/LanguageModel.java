package rnn.engine;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import rnn.engine.kernel.HostCopy;
import rnn.engine.kernel.SmallGemm;
import rnn.engine.loss.Loss;
import rnn.engine.loss.Softmax;
import rnn.engine.loss.TopK;

/**
 * A recurrent language model: token ids -> embedding (or one-hot) -> N recurrent layers -> dense
 * decoder -> softmax over the vocabulary, with exact back-propagation through time.
 *
 * <p>Per batch, the input projections of all T steps are one gemm per layer, only h_prev W_hh
 * runs per step, and the decoder and every weight gradient are one gemm over all steps.
 * Buffers are allocated once per batch shape and reused. Not thread-safe.
 */
public final class LanguageModel {
    private final ModelConfig config;
    private final Parameters parameters;
    private final DataType dtype;
    private final Map<Shape, Workspace> workspaces = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Shape, Workspace> eldest) {
            return size() > 4;
        }
    };

    /**
     * Layer 0's input pre-activations of every vocabulary entry, E W_ih^T + b_ih ([V, G*H]), when
     * the model was made {@link #withInputTable()} for inference; otherwise null.
     */
    private final INDArray inputTable;
    /**
     * Row-major transposes of each layer's W_hh ([H, G*H]) and of the decoder weight ([H, V]) when
     * the model was made {@link #forServing()}; otherwise null.
     */
    private final INDArray[] weightHhTransposed;
    private final INDArray decoderTransposed;
    /**
     * Heap copies of each layer's W_hh^T as rows ([H][G*H]) for the float LSTM's per-step products
     * of a few rows ({@link SmallGemm}), when the model was made {@link #withStepWeights()};
     * otherwise null.
     */
    private final float[][][] stepWeights;

    private LanguageModel(ModelConfig config, Parameters parameters, INDArray inputTable, INDArray[] weightHhTransposed,
                          INDArray decoderTransposed, float[][][] stepWeights) {
        this.config = config;
        this.parameters = parameters;
        this.dtype = parameters.dataType();
        this.inputTable = inputTable;
        this.weightHhTransposed = weightHhTransposed;
        this.decoderTransposed = decoderTransposed;
        this.stepWeights = stepWeights;
    }

    /** A new model with seeded initial weights; the same seed gives bit-identical weights. */
    public static LanguageModel initialize(ModelConfig config, Initialization init, long seed, DataType dtype) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, INDArray> values = new LinkedHashMap<>();
        ParameterShapes.of(config).forEach((name, shape) -> values.put(name, init.create(name, shape, random, dtype)));
        if (config.cell() == CellType.LSTM && init.forgetBias() != 0) {
            long h = config.hiddenSize();
            for (int k = 0; k < config.layers(); k++) {
                values.get(ParameterShapes.biasIh(k))
                        .get(NDArrayIndex.interval(h, 2 * h))
                        .addi(init.forgetBias());
            }
        }
        // The arrays are new and shaped by ParameterShapes: no copy (fromValues' would double
        // the peak memory of a large embedding).
        return new LanguageModel(config, new Parameters(values, rowSparseGradients(config)), null, null, null, null);
    }

    /**
     * A model over the given parameter values (copied), e.g. read from a checkpoint. Names and
     * shapes must be exactly those of {@link Parameters#shapes}; all values must share one dtype.
     */
    public static LanguageModel fromValues(ModelConfig config, Map<String, INDArray> values) {
        Map<String, long[]> expected = ParameterShapes.of(config);
        if (!expected.keySet().equals(values.keySet())) {
            throw new IllegalArgumentException("parameters " + values.keySet() + " do not match " + expected.keySet());
        }
        DataType dtype = values.values().iterator().next().dataType();
        Map<String, INDArray> copies = new LinkedHashMap<>();
        expected.forEach((name, shape) -> {
            INDArray value = values.get(name);
            if (!Arrays.equals(value.shape(), shape)) {
                throw new IllegalArgumentException("parameter " + name + " has shape " + Arrays.toString(value.shape())
                        + ", expected " + Arrays.toString(shape));
            }
            if (value.dataType() != dtype) {
                throw new IllegalArgumentException("parameter " + name + " is " + value.dataType() + ", others " + dtype);
            }
            copies.put(name, Nd4j.create(dtype, shape).assign(value));
        });
        return new LanguageModel(config, new Parameters(copies, rowSparseGradients(config)), null, null, null, null);
    }

    /**
     * A model over these same parameter arrays (not copied) with buffers of its own, so that two
     * threads can run forward passes at once. Only for inference: nothing may update the
     * parameters meanwhile.
     */
    public LanguageModel sharingParameters() {
        return new LanguageModel(config, parameters, inputTable, weightHhTransposed, decoderTransposed, stepWeights);
    }

    /**
     * For answering short contexts a few at a time: a model over these same parameter arrays plus
     * row-major transposes of W_hh and the decoder weight, so that a step's h W_hh^T and the
     * decoder's products for a few rows run as untransposed products in OpenBLAS's small-matrix
     * kernels (see {@link Blas#gemmTiled}), about three times faster than the transposed product
     * of the same size. The transposes are copies: the model must not be trained.
     */
    public LanguageModel forServing() {
        if (weightHhTransposed != null) {
            return sharingParameters();
        }
        INDArray[] hh = new INDArray[config.layers()];
        for (int k = 0; k < hh.length; k++) {
            hh[k] = parameters.value(ParameterShapes.weightHh(k)).transpose().dup('c');
        }
        if (config.hasAdaptiveOutput()) {
            // The adaptive output's products are small (head) or per cluster: no transposed copies.
            return new LanguageModel(config, parameters, inputTable, hh, null, stepWeights);
        }
        INDArray decoder = parameters.value(config.tied() ? ParameterShapes.EMBEDDING : ParameterShapes.DECODER_WEIGHT);
        return new LanguageModel(config, parameters, inputTable, hh, decoder.transpose().dup('c'), stepWeights);
    }

    /**
     * For inference a few sequences at a time (scoring a text): a model over these same
     * parameter arrays plus heap copies of each layer's W_hh^T, so that a float LSTM's per-step
     * products of up to {@link FloatLstmCell#MAX_SMALL_ROWS} rows run in {@link SmallGemm}, in
     * plain Java, rather than in OpenBLAS: its Haswell kernels repack all of W_hh for every such
     * call (1 x 200 by 200 x 800 at about a tenth of the Java kernel's rate). Other cells and
     * double models are unchanged. The copies must not be trained.
     */
    public LanguageModel withStepWeights() {
        return new LanguageModel(config, parameters, inputTable, weightHhTransposed, decoderTransposed,
                ownStepWeights());
    }

    /** This model's step weights, made now if it has none (null where no cell uses them). */
    private float[][][] ownStepWeights() {
        if (stepWeights != null || config.cell() != CellType.LSTM || dtype != DataType.FLOAT) {
            return stepWeights;
        }
        float[][][] weights = new float[config.layers()][][];
        for (int k = 0; k < weights.length; k++) {
            INDArray transposed = parameters.value(ParameterShapes.weightHh(k)).transpose().dup('c');
            weights[k] = SmallGemm.rows(transposed.data().asFloat(), (int) transposed.size(0),
                    (int) transposed.size(1));
        }
        return weights;
    }

    /**
     * For inference over long texts: a model over these same parameter arrays that looks layer 0's
     * input pre-activations up per token in a table, E W_ih^T + b_ih for the whole vocabulary
     * ([V, G*H], built here with one product), instead of multiplying every token's embedding.
     * That product costs as much as about V tokens' worth of the per-token ones, so it pays from
     * texts of a few times V tokens. One-hot models gather W_ih's columns already and get no
     * table. The table is a copy: the model must not be trained.
     */
    public LanguageModel withInputTable() {
        if (config.oneHot() || inputTable != null) {
            return sharingParameters();
        }
        INDArray table = Nd4j.create(dtype, config.vocabSize(), parameters.value(ParameterShapes.weightIh(0)).size(0));
        Ops.gemm(parameters.value(ParameterShapes.EMBEDDING), parameters.value(ParameterShapes.weightIh(0)), table,
                false, true, 0.0);
        table.addiRowVector(parameters.value(ParameterShapes.biasIh(0)));
        return new LanguageModel(config, parameters, table, weightHhTransposed, decoderTransposed, stepWeights);
    }

    /** Bytes {@link #withInputTable()} would allocate (0 for a one-hot model). */
    public long inputTableBytes() {
        return config.oneHot() ? 0
                : (long) config.vocabSize() * parameters.value(ParameterShapes.weightIh(0)).size(0)
                        * dtype.width();
    }

    public ModelConfig config() {
        return config;
    }

    public Parameters parameters() {
        return parameters;
    }

    public DataType dataType() {
        return dtype;
    }

    /** A zero state for B parallel sequences. */
    public RecurrentState newState(int batchSize) {
        return RecurrentState.zeros(config, batchSize, dtype);
    }

    /**
     * Forward and backward over one batch with dropout (and every other training-time mask) on: overwrites every gradient with that of
     * the mean loss over the batch's predictions and returns that mean loss. {@code state} (may be
     * null for zeros) is read as the initial state and replaced by the final one.
     */
    public double computeGradients(Batch batch, RecurrentState state, Loss loss, long dropoutSeed) {
        if (inputTable != null || weightHhTransposed != null || stepWeights != null) {
            throw new IllegalStateException("a model with an input table or transposed weights is for inference only");
        }
        Workspace w = workspace(batch);
        if (config.hasAdaptiveOutput()) {
            return adaptiveGradients(w, batch, state, loss, dropoutSeed);
        }
        // Cross-entropy, the common case, adds the decoder bias and sums its gradient inside the
        // softmax's pass over the logits, saving two more passes over [M, V].
        boolean fused = loss == Loss.CROSS_ENTROPY;
        w.forwardForGradients(batch, state, config.regularized() ? new SplittableRandom(dropoutSeed) : null,
                fused ? Output.LOGITS_WITHOUT_BIAS : Output.LOGITS);
        int m = batch.predictions();
        zeroScatteredGradients();
        double sum = fused
                ? Softmax.crossEntropyGradient(w.logits(), parameters.value(ParameterShapes.DECODER_BIAS),
                        batch.targets(), w.dLogits(), 1.0 / m, parameters.gradient(ParameterShapes.DECODER_BIAS))
                : loss.apply(w.logits(), batch.targets(), w.dLogits(), 1.0 / m);
        w.backward(batch, !fused);
        return sum / m;
    }

    private double adaptiveGradients(Workspace w, Batch batch, RecurrentState state, Loss loss, long dropoutSeed) {
        if (loss != Loss.CROSS_ENTROPY) {
            throw new IllegalArgumentException("the adaptive softmax trains with cross-entropy only, not " + loss);
        }
        w.forwardForGradients(batch, state, config.regularized() ? new SplittableRandom(dropoutSeed) : null,
                Output.TOP);
        int m = batch.predictions();
        zeroScatteredGradients();
        double sum = w.adaptive().crossEntropyGradient(w.topInput, batch.targets(), 1.0 / m, w.dTop());
        w.backward(batch, false);
        return sum / m;
    }

    /**
     * Forward only, dropout off: the logits [M, V] of the batch's predictions (rows in the
     * batch's order); for an adaptive softmax, the log-probabilities themselves (their softmax is
     * the same distribution). The array is reused by the next call with the same batch shape.
     */
    public INDArray logits(Batch batch, RecurrentState state) {
        Workspace w = workspace(batch);
        w.forward(batch, state, null, Output.LOGITS);
        return w.logits();
    }

    /**
     * Forward only, dropout off, each context from the zero state: the logits [n, V] (log-probabilities
     * for an adaptive softmax) after each of
     * n contexts (at least one token each; lengths may differ) read side by side, row b what
     * {@link #logits} gives for {@code contexts[b]} alone as a batch of one (to float rounding).
     * Each step then costs one n-row product per layer instead of n one-row ones, and the decoder
     * one n-row product. Shorter contexts are padded on the left and held at the zero state until
     * their first token. Batches are rounded up to a power of two rows, so that batches of varying
     * size reuse a few buffers; the extra rows never start and skip the gate maths and the decoder.
     * The array is reused by the next call of the same shape.
     */
    public INDArray lastLogits(int[][] contexts) {
        int n = contexts.length;
        Workspace w = lastSteps(contexts, Output.LOGITS);
        return w.firstRows(w.logits(), n);
    }

    /** The forward pass of {@link #lastLogits} up to {@code output}, in the workspace it used. */
    private Workspace lastSteps(int[][] contexts, Output output) {
        int n = contexts.length;
        if (n == 0) {
            throw new IllegalArgumentException("no contexts");
        }
        int steps = 0;
        for (int[] context : contexts) {
            if (context.length == 0) {
                throw new IllegalArgumentException("an empty context has no last step (its logits are the decoder bias)");
            }
            steps = Math.max(steps, context.length);
        }
        int rows = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
        int[] firstSteps = new int[rows];
        Arrays.fill(firstSteps, steps);
        int[] inputs = new int[rows * steps];  // time-major; id 0 where padded, never read into a state
        for (int b = 0; b < n; b++) {
            int first = steps - contexts[b].length;
            firstSteps[b] = first;
            for (int i = 0; i < contexts[b].length; i++) {
                inputs[(first + i) * rows + b] = contexts[b][i];
            }
        }
        Workspace w = workspaces.computeIfAbsent(new Shape(rows, steps, Objective.LAST), Workspace::new);
        w.forward(inputs, null, null, output, firstSteps, n);
        return w;
    }

    /**
     * The k most probable next tokens after each context, most probable first: ids and natural-log
     * probabilities per context, and how many tail clusters were computed in all.
     */
    public record TopTokens(int[][] ids, double[][] logProbabilities, int clustersComputed) {
    }

    /**
     * For an adaptive softmax: what {@link #lastLogits} gives, reduced to each context's exact top
     * k over the whole vocabulary, computing only the tail clusters that can still hold one of them.
     */
    public TopTokens lastTopK(int[][] contexts, int k) {
        if (!config.hasAdaptiveOutput()) {
            throw new IllegalStateException("lastTopK is the adaptive softmax's; use lastLogits");
        }
        Workspace w = lastSteps(contexts, Output.TOP);
        return w.adaptive().topK(w.topInput, contexts.length, k);
    }

    /**
     * Forward only, dropout off, the recurrence alone: carries {@code state} over the batch's
     * inputs (targets unused) without the decoder, e.g. to warm a state up before scoring.
     */
    public void advance(Batch batch, RecurrentState state) {
        workspace(batch).forward(batch, state, null, Output.STATE_ONLY);
    }

    /**
     * Forward only, dropout off: ln p of each prediction's target (rows in the batch's order), from
     * the exact softmax, with the decoder bias added inside its pass rather than as an extra one.
     */
    public double[] targetLogProbabilities(Batch batch, RecurrentState state) {
        Workspace w = workspace(batch);
        if (config.hasAdaptiveOutput()) {
            w.forward(batch, state, null, Output.TOP);
            return w.adaptive().targetLogProbabilities(w.topInput, batch.targets());
        }
        w.forward(batch, state, null, Output.LOGITS_WITHOUT_BIAS);
        return Softmax.logProbabilities(w.logits(), parameters.value(ParameterShapes.DECODER_BIAS), batch.targets())
                .targetLogProbabilities();
    }

    /** Forward only, dropout off: the summed loss over the batch's predictions. */
    public double loss(Batch batch, RecurrentState state, Loss loss) {
        return evaluate(batch, state, loss).lossSum();
    }

    /**
     * What evaluating a batch gives: the summed loss over its predictions and how many of their
     * targets the model ranked first and among its {@value #TOP_K} most probable tokens.
     */
    public record Evaluation(double lossSum, long top1Hits, long topKHits) {
    }

    /** The k of {@link Evaluation#topKHits()}, as Keras's top_k_categorical_accuracy defaults to. */
    public static final int TOP_K = 5;

    /** Forward only, dropout off: the summed loss and the top-1 and top-5 hits over the batch's predictions. */
    public Evaluation evaluate(Batch batch, RecurrentState state, Loss loss) {
        Workspace w = workspace(batch);
        if (config.hasAdaptiveOutput()) {
            return adaptiveEvaluation(w, batch, state, loss);
        }
        w.forward(batch, state, null, Output.LOGITS);
        long[] hits = TopK.hits(w.logits(), batch.targets(), TOP_K);
        return new Evaluation(loss.apply(w.logits(), batch.targets(), w.dLogits(), 0), hits[0], hits[1]);
    }

    /**
     * The adaptive softmax's evaluation: the loss from the targets' clusters alone, the hits from
     * whole distributions a few rows at a time (never an [M, V] array).
     */
    private Evaluation adaptiveEvaluation(Workspace w, Batch batch, RecurrentState state, Loss loss) {
        if (loss != Loss.CROSS_ENTROPY) {
            throw new IllegalArgumentException("the adaptive softmax is evaluated with cross-entropy only, not " + loss);
        }
        w.forward(batch, state, null, Output.TOP);
        int m = batch.predictions();
        double sum = 0;
        for (double logP : w.adaptive().targetLogProbabilities(w.topInput, batch.targets())) {
            sum -= logP;
        }
        int chunk = Math.min(m, 64);
        INDArray distributions = Nd4j.create(dtype, chunk, config.vocabSize());
        long top1 = 0;
        long topK = 0;
        for (int from = 0; from < m; from += chunk) {
            int count = Math.min(chunk, m - from);
            INDArray block = count == chunk ? distributions : Ops.rows(distributions, 0, count);
            w.adaptive().logProbabilities(w.topInput, from, count, block);
            long[] hits = TopK.hits(block, Arrays.copyOfRange(batch.targets(), from, from + count), TOP_K);
            top1 += hits[0];
            topK += hits[1];
        }
        return new Evaluation(sum, top1, topK);
    }

    /**
     * The distribution before any input, from the zero state: the decoder sees h = 0, so the full
     * softmax's logits are its bias; the adaptive softmax's log-probabilities of a zero h.
     */
    public double[] startLogits() {
        if (!config.hasAdaptiveOutput()) {
            return parameters.value(ParameterShapes.DECODER_BIAS).toDoubleVector();
        }
        INDArray logP = Nd4j.create(dtype, 1, config.vocabSize());
        new AdaptiveSoftmax(config, parameters, 1).logProbabilities(Nd4j.zeros(dtype, 1, config.hiddenSize()), 1, logP);
        return logP.toDoubleVector();
    }

    /**
     * Every gradient has one writer in the backward pass that overwrites it (a gemm with beta 0,
     * the loss's bias sums, a one-hot W_ih's column scatter), except the embedding when not tied
     * (tied, the decoder's gemm writes it first), which gets scatter-adds of its rows. Only that
     * one is zeroed, not all the gradients each step, and only in the rows the last step wrote:
     * the rest of it is still zero.
     */
    private void zeroScatteredGradients() {
        TouchedRows rows = parameters.touchedRows(ParameterShapes.EMBEDDING);
        if (rows != null) {
            rows.zero(parameters.gradient(ParameterShapes.EMBEDDING));
        }
    }

    /** The gradients that only row scatter-adds write: an untied embedding's. */
    private static Set<String> rowSparseGradients(ModelConfig config) {
        return !config.oneHot() && !config.tied() ? Set.of(ParameterShapes.EMBEDDING) : Set.of();
    }

    private Workspace workspace(Batch batch) {
        return workspaces.computeIfAbsent(new Shape(batch.batchSize(), batch.steps(), batch.objective()), Workspace::new);
    }

    private record Shape(int batch, int steps, Objective objective) {
    }

    /** m[at + j] += v[j] for j < n: a loop of its own that C2 compiles once and vectorizes. */
    private static void addRow(float[] m, int at, float[] v, int n) {
        for (int j = 0; j < n; j++) {
            m[at + j] += v[j];
        }
    }

    /**
     * What a forward pass leaves: the state only, the top layer's outputs (for the adaptive
     * softmax), or the logits with or without the decoder bias.
     */
    private enum Output {
        STATE_ONLY, TOP, LOGITS_WITHOUT_BIAS, LOGITS
    }

    /**
     * Every buffer one batch shape needs, allocated once; the logits and the backward pass's
     * buffers on first use, so that scoring never allocates gradients (two [M, V] arrays).
     */
    private final class Workspace {
        private final int batch;
        private final int steps;
        private final int rows;
        private final int predictions;
        private final Objective objective;
        private final RecurrentCell[] cells;
        /** Embedded input tokens [N, E] (null for one-hot input) and its gradient. */
        private final INDArray embedded;
        private INDArray dEmbedded;
        /** Per layer: dropout mask and dropped input [N, In] (null where no dropout applies). */
        private final INDArray[] inputMask;
        private final INDArray[] droppedInput;
        private final INDArray topMask;
        private final INDArray droppedTop;
        private INDArray logits;
        private INDArray dLogits;
        private INDArray dTop;
        private final INDArray onesRows;
        private final INDArray onesPredictions;
        /** The input each layer read in the last forward pass (for the weight gradients). */
        private final INDArray[] layerInput;
        private INDArray topInput;
        private boolean dropoutActive;
        /** Embedding dropout: each row's scale (0 or 1/(1-p)) as [N, 1] (null when off), and per id the batch that drew it. */
        private final INDArray rowScale;
        private double[] idScale;
        private int[] idDrawn;
        private int draws;
        /** Weight drop: per layer, the DropConnect mask and the dropped W_hh [G*H, H] (null when off). */
        private final INDArray[] hhMask;
        private final INDArray[] droppedHh;
        /** Scratch for drawing masks on the host. */
        private double[] maskValues = new double[0];
        /** Row-block views by the array they view ({@link #firstRows}). */
        private final Map<INDArray, INDArray[]> rowViews = new IdentityHashMap<>();
        /** A serving model's scratch for {@link #addRowVectors}. */
        private final HostCopy host = new HostCopy();
        private float[] hostRows = new float[0];
        private float[] hostBias = new float[0];
        private AdaptiveSoftmax adaptive;

        Workspace(Shape shape) {
            batch = shape.batch();
            steps = shape.steps();
            objective = shape.objective();
            rows = batch * steps;
            predictions = objective == Objective.ALL ? rows : batch;
            int layers = config.layers();
            int h = config.hiddenSize();
            cells = new RecurrentCell[layers];
            for (int k = 0; k < layers; k++) {
                cells[k] = RecurrentCell.create(config.cell(), batch, steps, h, dtype);
            }
            boolean dropout = config.dropout() > 0;
            embedded = config.oneHot() ? null : Nd4j.create(dtype, rows, config.embeddingSize());
            inputMask = new INDArray[layers];
            droppedInput = new INDArray[layers];
            for (int k = 0; k < layers; k++) {
                if (dropout && !(k == 0 && config.oneHot())) {
                    inputMask[k] = Nd4j.create(dtype, rows, config.inputSize(k));
                    droppedInput[k] = Nd4j.create(dtype, rows, config.inputSize(k));
                }
            }
            topMask = dropout ? Nd4j.create(dtype, predictions, h) : null;
            droppedTop = dropout ? Nd4j.create(dtype, predictions, h) : null;
            rowScale = config.embeddingDropout() > 0 ? Nd4j.create(dtype, rows, 1) : null;
            hhMask = new INDArray[layers];
            droppedHh = new INDArray[layers];
            if (config.weightDrop() > 0) {
                for (int k = 0; k < layers; k++) {
                    hhMask[k] = Nd4j.create(dtype, (long) config.cell().gates() * h, h);
                    droppedHh[k] = Nd4j.create(dtype, (long) config.cell().gates() * h, h);
                }
            }
            onesRows = Nd4j.ones(dtype, 1, rows);
            onesPredictions = Nd4j.ones(dtype, 1, predictions);
            layerInput = new INDArray[layers];
        }

        INDArray logits() {
            if (logits == null) {
                logits = Nd4j.create(dtype, predictions, config.vocabSize());
            }
            return logits;
        }

        AdaptiveSoftmax adaptive() {
            if (adaptive == null) {
                adaptive = new AdaptiveSoftmax(config, parameters, predictions);
            }
            return adaptive;
        }

        INDArray dTop() {
            if (dTop == null) {
                dTop = Nd4j.create(dtype, predictions, config.hiddenSize());
            }
            return dTop;
        }

        INDArray dLogits() {
            if (dLogits == null) {
                dLogits = Nd4j.create(dtype, predictions, config.vocabSize());
            }
            return dLogits;
        }

        /** LOGITS_WITHOUT_BIAS leaves the decoder bias to the caller. */
        void forward(Batch b, RecurrentState state, SplittableRandom dropoutRandom, Output output) {
            forward(b.inputs(), state, dropoutRandom, output, null, predictions);
        }

        /**
         * As {@link #forward(Batch, RecurrentState, SplittableRandom, Output)}, for a backward pass
         * that follows: the cells may then run their steps in a kernel of their own (see
         * FloatLstmCell's panels), which inference keeps out of so that a text scores the same bits
         * by every path.
         */
        void forwardForGradients(Batch b, RecurrentState state, SplittableRandom dropoutRandom, Output output) {
            for (RecurrentCell cell : cells) {
                cell.backwardFollows = true;
            }
            try {
                forward(b.inputs(), state, dropoutRandom, output, null, predictions);
            } finally {
                for (RecurrentCell cell : cells) {
                    cell.backwardFollows = false;
                }
            }
        }

        /**
         * With {@code firstSteps} (see {@link RecurrentCell#firstSteps}) null for sequences that
         * all start at step 0; the decoder runs for the first {@code decoded} prediction rows.
         */
        void forward(int[] ids, RecurrentState state, SplittableRandom dropoutRandom, Output output, int[] firstSteps,
                     int decoded) {
            if (state != null) {
                state.requireFits(config, batch);
            }
            dropoutActive = dropoutRandom != null;
            if (dropoutActive) {
                dropWeights(dropoutRandom);
            }
            boolean tabled = inputTable != null && !dropoutActive;
            if (!config.oneHot() && !tabled) {
                Lookup.gatherRows(parameters.value(ParameterShapes.EMBEDDING), ids, rows, embedded);
                if (dropoutActive && rowScale != null) {
                    fillRowScale(ids, dropoutRandom);
                    embedded.muliColumnVector(rowScale);
                }
            }
            for (int k = 0; k < cells.length; k++) {
                RecurrentCell cell = cells[k];
                INDArray biasIh = null;
                if (k == 0 && tabled) {
                    Lookup.gatherRows(inputTable, ids, rows, cell.pre);  // b_ih included
                } else {
                    INDArray input = k == 0 ? embedded : cells[k - 1].outputs();
                    if (input != null && dropoutActive && inputMask[k] != null) {
                        fillMask(inputMask[k], config.dropout(), dropoutRandom);
                        Ops.mul(input, inputMask[k], droppedInput[k]);
                        input = droppedInput[k];
                    }
                    layerInput[k] = input;
                    INDArray weightIh = parameters.value(ParameterShapes.weightIh(k));
                    if (input == null) {
                        Lookup.gatherColumns(weightIh, ids, rows, cell.pre);
                    } else {
                        Ops.gemm(input, weightIh, cell.pre, false, true, 0.0);
                    }
                    biasIh = parameters.value(ParameterShapes.biasIh(k));
                }
                INDArray biasHh = parameters.value(ParameterShapes.biasHh(k));
                addRowVectors(cell.pre, biasIh, cell.foldsHiddenBias() ? biasHh : null);
                cell.startAt(firstSteps);
                cell.weightHhTransposed = weightHhTransposed == null ? null : weightHhTransposed[k];
                cell.stepWeights = stepWeights == null ? null : stepWeights[k];
                if (state == null) {
                    cell.loadZeroState();
                } else {
                    cell.loadState(state, k);
                }
                cell.forward(weightHh(k), biasHh);
                if (state != null) {
                    cell.saveState(state, k);
                }
            }
            if (output == Output.STATE_ONLY) {
                return;
            }
            RecurrentCell top = cells[cells.length - 1];
            topInput = objective == Objective.ALL ? top.outputs() : top.outStep[steps];
            if (dropoutActive && topMask != null) {
                fillMask(topMask, config.dropout(), dropoutRandom);
                Ops.mul(topInput, topMask, droppedTop);
                topInput = droppedTop;
            }
            if (output == Output.TOP) {
                return;
            }
            INDArray decoderInput = firstRows(topInput, decoded);
            INDArray decoderOutput = firstRows(logits(), decoded);
            if (config.hasAdaptiveOutput()) {
                adaptive().logProbabilities(decoderInput, decoded, decoderOutput);
                return;
            }
            if (decoderTransposed != null && !dropoutActive) {
                Ops.gemmTiled(decoderInput, decoderTransposed, decoderOutput, 0.0);
            } else {
                Ops.gemm(decoderInput, decoderWeight(), decoderOutput, false, true, 0.0);
            }
            if (output == Output.LOGITS) {
                addRowVectors(decoderOutput, parameters.value(ParameterShapes.DECODER_BIAS), null);
            }
        }

        /**
         * Rows [0, n) of one of this workspace's arrays (the array itself for all its rows), each
         * view made once: making one costs 10-20 us, and a serving batch needs up to three.
         */
        INDArray firstRows(INDArray whole, int n) {
            if (n == whole.size(0)) {
                return whole;
            }
            INDArray[] views = rowViews.computeIfAbsent(whole, a -> new INDArray[(int) a.size(0)]);
            if (views[n] == null) {
                views[n] = Ops.rows(whole, 0, n);
            }
            return views[n];
        }

        /**
         * m += first, then m += second, row by row (either may be null). A serving model's batches
         * have a few rows, where an ND4J broadcast op costs more in dispatch and shape bookkeeping
         * than its adds (JFR: these ops took about a third of a serving batch's Java time): for it,
         * one Java pass over a float copy of m, the same float additions in the same order.
         */
        private void addRowVectors(INDArray m, INDArray first, INDArray second) {
            if (decoderTransposed == null || dtype != DataType.FLOAT) {
                if (first != null) {
                    m.addiRowVector(first);
                }
                if (second != null) {
                    m.addiRowVector(second);
                }
                return;
            }
            int width = (int) m.size(1);
            int length = Math.toIntExact(m.length());
            if (hostRows.length < length) {
                hostRows = new float[length];
            }
            if (hostBias.length < width) {
                hostBias = new float[width];
            }
            host.read(m, hostRows, 0);
            for (INDArray bias : new INDArray[] {first, second}) {
                if (bias != null) {
                    host.read(bias, hostBias, 0);
                    for (int at = 0; at < length; at += width) {
                        addRow(hostRows, at, hostBias, width);
                    }
                }
            }
            host.write(hostRows, 0, m);
        }

        /**
         * Needs dLogits filled by the loss (or, for the adaptive softmax, dTop and the output's
         * gradients written by it); writes every gradient (see zeroScatteredGradients), the
         * decoder bias's only if {@code decoderBiasGradient} (else the loss has written it).
         */
        void backward(Batch b, boolean decoderBiasGradient) {
            int[] ids = b.inputs();
            dTop();
            if (dEmbedded == null && !config.oneHot()) {
                dEmbedded = Nd4j.create(dtype, rows, config.embeddingSize());
            }
            if (!config.hasAdaptiveOutput()) {
                Ops.gemm(dLogits, topInput, decoderGradient(), true, false, 0.0);
                if (decoderBiasGradient) {
                    Ops.columnSums(dLogits, onesPredictions, parameters.gradient(ParameterShapes.DECODER_BIAS));
                }
                Ops.gemm(dLogits, decoderWeight(), dTop, false, false, 0.0);
            }
            if (dropoutActive && topMask != null) {
                dTop.muli(topMask);
            }
            RecurrentCell top = cells[cells.length - 1];
            for (RecurrentCell cell : cells) {
                cell.dOut.assign(0);
            }
            (objective == Objective.ALL ? top.outputGradients() : top.dOutStep[steps]).assign(dTop);
            for (int k = cells.length - 1; k >= 0; k--) {
                RecurrentCell cell = cells[k];
                cell.backward(weightHh(k), parameters.gradient(ParameterShapes.weightHh(k)),
                        parameters.gradient(ParameterShapes.biasHh(k)), onesRows);
                if (dropoutActive && hhMask[k] != null) {
                    // d(W * M)/dW = M: the dropped weights get no gradient, the kept ones a scaled one.
                    parameters.gradient(ParameterShapes.weightHh(k)).muli(hhMask[k]);
                }
                Ops.columnSums(cell.dPre, onesRows, parameters.gradient(ParameterShapes.biasIh(k)));
                if (cell.foldsHiddenBias()) {
                    Ops.columnSums(cell.dPre, onesRows, parameters.gradient(ParameterShapes.biasHh(k)));
                }
                INDArray gradWeightIh = parameters.gradient(ParameterShapes.weightIh(k));
                if (layerInput[k] == null) {
                    Lookup.scatterColumns(gradWeightIh, ids, rows, cell.dPre);
                    continue;
                }
                Ops.gemm(cell.dPre, layerInput[k], gradWeightIh, true, false, 0.0);
                INDArray dInput = k > 0 ? cells[k - 1].outputGradients() : dEmbedded;
                Ops.gemm(cell.dPre, parameters.value(ParameterShapes.weightIh(k)), dInput, false, false, 0.0);
                if (dropoutActive && inputMask[k] != null) {
                    dInput.muli(inputMask[k]);
                }
                if (k == 0) {
                    TouchedRows touched = parameters.touchedRows(ParameterShapes.EMBEDDING);
                    if (touched != null) { // tied, the decoder's gemm wrote every row first
                        touched.record(ids, rows);
                    }
                    if (dropoutActive && rowScale != null) {
                        dEmbedded.muliColumnVector(rowScale);
                    }
                    Lookup.scatterAddRows(parameters.gradient(ParameterShapes.EMBEDDING), ids, rows, dEmbedded);
                }
            }
        }

        private INDArray decoderWeight() {
            return parameters.value(config.tied() ? ParameterShapes.EMBEDDING : ParameterShapes.DECODER_WEIGHT);
        }

        private INDArray decoderGradient() {
            return parameters.gradient(config.tied() ? ParameterShapes.EMBEDDING : ParameterShapes.DECODER_WEIGHT);
        }

        /**
         * Layer k's recurrent weights for this pass: W_hh, or in a training pass with weight drop
         * W_hh times a DropConnect mask drawn now (one per batch, as AWD-LSTM's WeightDrop).
         */
        private INDArray weightHh(int k) {
            INDArray weight = parameters.value(ParameterShapes.weightHh(k));
            if (!dropoutActive || hhMask[k] == null) {
                return weight;
            }
            return droppedHh[k];
        }

        /** Draws every layer's DropConnect mask for this pass and applies it (forward calls it once, before the layers). */
        private void dropWeights(SplittableRandom random) {
            for (int k = 0; k < hhMask.length; k++) {
                if (hhMask[k] != null) {
                    fillMask(hhMask[k], config.weightDrop(), random, false);
                    Ops.mul(parameters.value(ParameterShapes.weightHh(k)), hhMask[k], droppedHh[k]);
                }
            }
        }

        /**
         * Embedding dropout: each distinct id of the batch is kept with probability 1-p (scaled by
         * 1/(1-p)) or dropped as a whole row, drawn in order of first appearance; every row of
         * that id gets the same scale.
         */
        private void fillRowScale(int[] ids, SplittableRandom random) {
            double rate = config.embeddingDropout();
            if (idDrawn == null) {
                idDrawn = new int[config.vocabSize()];
                idScale = new double[config.vocabSize()];
            }
            draws++;
            double[] scales = values(rows);
            for (int r = 0; r < rows; r++) {
                int id = ids[r];
                if (idDrawn[id] != draws) {
                    idDrawn[id] = draws;
                    idScale[id] = random.nextDouble() < rate ? 0.0 : 1.0 / (1.0 - rate);
                }
                scales[r] = idScale[id];
            }
            host.write(scales, 0, rowScale);
        }

        private void fillMask(INDArray mask, double rate, SplittableRandom random) {
            fillMask(mask, rate, random, config.lockedDropout());
        }

        /**
         * Inverted dropout: each entry kept with probability 1-p and scaled by 1/(1-p), else 0.
         * Locked: one [B, width] mask drawn and repeated for every step (rows are time-major), so
         * a sequence loses the same units at all its steps.
         */
        private void fillMask(INDArray mask, double rate, SplittableRandom random, boolean locked) {
            int n = Math.toIntExact(mask.length());
            double[] m = values(n);
            DropoutMasks.fill(m, n, locked ? Math.toIntExact(batch * mask.size(1)) : n, rate, random);
            host.write(m, 0, mask);
        }

        private double[] values(int n) {
            if (maskValues.length < n) {
                maskValues = new double[n];
            }
            return maskValues;
        }
    }
}
