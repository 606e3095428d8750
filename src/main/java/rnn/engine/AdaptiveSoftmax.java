package rnn.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The adaptive softmax output of {@link AdaptiveOutput} over the top layer's outputs h [M, H], for
 * one batch shape of at most {@code rows} rows: the head is one product over all rows; each tail
 * cluster runs on the rows that need it, gathered into a contiguous block (two products forward,
 * three backward), its input gradient scattered back; in training, a float cluster's logits, softmax
 * and their products go through {@link FusedTailSoftmax} instead, which never stores its logit block.
 * Buffers are kept and grown, never shrunk. Not thread-safe.
 *
 * <p>Forward, row r with target w: head = h W_head^T, lh = log softmax(head); for w in cluster i,
 * p = h W_i0^T, z = p W_i1^T, lt = log softmax(z), and log p(w) = lh[c0 + i] + lt[w - c_i].
 * Backward of -log p(w) (scaled): dhead = softmax(head) - onehot(head target) with the head target
 * w or c0 + i; dz = softmax(z) - onehot(w - c_i); dW_i1 = dz^T p, dp = dz W_i1, dW_i0 = dp^T h,
 * dh += dp W_i0; dW_head = dhead^T h, dh += dhead W_head.
 */
final class AdaptiveSoftmax {
    /** Rows per pass when computing whole distributions, so that a tail block stays [64, cluster size]. */
    private static final int DISTRIBUTION_ROWS = 64;

    private final AdaptiveOutput spec;
    private final Parameters parameters;
    private final DataType dtype;
    private final int vocab;
    private final int hidden;
    private final int rows;
    private final INDArray head;
    private final Tail[] tails;
    /** One cluster's gathered inputs [rows, H], and their gradient. */
    private final INDArray gathered;
    private INDArray dGathered;

    AdaptiveSoftmax(ModelConfig config, Parameters parameters, int rows) {
        this.spec = config.adaptive();
        this.parameters = parameters;
        this.dtype = parameters.dataType();
        this.vocab = config.vocabSize();
        this.hidden = config.hiddenSize();
        this.rows = rows;
        head = Nd4j.create(dtype, rows, spec.headSize());
        tails = new Tail[spec.clusters()];
        for (int i = 0; i < tails.length; i++) {
            tails[i] = new Tail(i);
        }
        gathered = Nd4j.create(dtype, rows, hidden);
    }

    /** One tail cluster's weights and its blocks, grown to the most rows it has needed. */
    private final class Tail {
        final int index;
        final int start;
        final int size;
        final int projection;
        INDArray projected;
        INDArray dProjected;
        INDArray logits;
        int capacity;
        /** Whether training takes the fused pass (float) rather than BLAS's products (double). */
        final boolean trainsFused;
        /**
         * The fused pass, made at the first training step: it keeps a copy of W1 by block, which
         * predict, scoring and serving never need.
         */
        private FusedTailSoftmax fused;

        Tail(int index) {
            this.index = index;
            this.start = spec.clusterStart(index);
            this.size = spec.clusterEnd(index, vocab) - start;
            this.projection = spec.projectionSize(index, hidden);
            this.trainsFused = dtype == DataType.FLOAT;
        }

        INDArray w0() {
            return parameters.value(ParameterShapes.tailProjection(index));
        }

        INDArray w1() {
            return parameters.value(ParameterShapes.tailOutput(index));
        }

        /** Room for m rows, in powers of two up to the batch's rows. */
        void reserve(int m, boolean backward) {
            if (m > capacity) {
                capacity = Math.min(rows, Integer.highestOneBit(Math.max(1, m - 1)) << 1);
                capacity = Math.max(capacity, m);
                projected = Nd4j.create(dtype, capacity, projection);
                logits = null; // made by forward: the fused training pass never needs it
                dProjected = null;
            }
            if (backward && dProjected == null) {
                dProjected = Nd4j.create(dtype, capacity, projection);
            }
        }

        /** p = x W0^T for the first m rows of x, into rows [0, m) of {@link #projected}. */
        INDArray project(INDArray x, int m, boolean backward) {
            reserve(m, backward);
            INDArray p = Ops.rows(projected, 0, m);
            Ops.gemm(x, w0(), p, false, true, 0.0);
            return p;
        }

        /** z = (x W0^T) W1^T for the first m rows of x; returns the logits block. */
        INDArray forward(INDArray x, int m, boolean backward) {
            INDArray p = project(x, m, backward);
            if (logits == null) {
                logits = Nd4j.create(dtype, capacity, size);
            }
            INDArray z = Ops.rows(logits, 0, m);
            Ops.gemm(p, w1(), z, false, true, 0.0);
            return z;
        }
    }

    /**
     * Training: returns the summed -log p of the targets of rows [0, M) of {@code top}, overwrites
     * the gradients of the head and every tail with scale * their gradient, and writes
     * scale * d(sum)/d(top) into {@code dTop} [M, H].
     */
    double crossEntropyGradient(INDArray top, int[] targets, double scale, INDArray dTop) {
        int m = rows;
        INDArray weightHead = parameters.value(ParameterShapes.ADAPTIVE_HEAD);
        Ops.gemm(top, weightHead, head, false, true, 0.0);
        double loss = LogSoftmaxRows.crossEntropyGradient(head, m, headTargets(targets, m), scale);
        Ops.gemm(head, top, parameters.gradient(ParameterShapes.ADAPTIVE_HEAD), true, false, 0.0);
        Ops.gemm(head, weightHead, dTop, false, false, 0.0);
        int[][] members = members(targets, m);
        for (Tail tail : tails) {
            int[] rowsOf = members[tail.index];
            INDArray gradW0 = parameters.gradient(ParameterShapes.tailProjection(tail.index));
            INDArray gradW1 = parameters.gradient(ParameterShapes.tailOutput(tail.index));
            int n = rowsOf.length;
            if (n == 0) {
                gradW0.assign(0);
                gradW1.assign(0);
                continue;
            }
            INDArray x = Ops.rows(gathered, 0, n);
            gatherRows(top, rowsOf, x);
            int[] local = localTargets(targets, rowsOf, tail.start);
            INDArray dp;
            if (tail.trainsFused) {
                INDArray p = tail.project(x, n, true);
                dp = Ops.rows(tail.dProjected, 0, n);
                loss += fusedGradient(tail, p, n, local, scale, gradW1, dp);
            } else {
                INDArray z = tail.forward(x, n, true);
                loss += LogSoftmaxRows.crossEntropyGradient(z, n, local, scale);
                INDArray p = Ops.rows(tail.projected, 0, n);
                Ops.gemm(z, p, gradW1, true, false, 0.0);
                dp = Ops.rows(tail.dProjected, 0, n);
                Ops.gemm(z, tail.w1(), dp, false, false, 0.0);
            }
            Ops.gemm(dp, x, gradW0, true, false, 0.0);
            if (dGathered == null) {
                dGathered = Nd4j.create(dtype, rows, hidden);
            }
            INDArray dx = Ops.rows(dGathered, 0, n);
            Ops.gemm(dp, tail.w0(), dx, false, false, 0.0);
            scatterAddRows(dx, rowsOf, dTop);
        }
        return loss;
    }

    /** A float cluster's loss and gradients through {@link FusedTailSoftmax}: p [n, P] in, dp [n, P] out. */
    private static double fusedGradient(Tail tail, INDArray p, int n, int[] local, double scale, INDArray gradW1,
            INDArray dp) {
        int width = tail.projection;
        float[] projectedRows = new float[n * width];
        Block pBlock = new Block(p);
        pBlock.floats.get(pBlock.at(0, 0), projectedRows, 0, n * width);
        float[] dpRows = new float[n * width];
        Block w1 = new Block(tail.w1());
        Block gradient = new Block(gradW1);
        if (tail.fused == null) {
            tail.fused = new FusedTailSoftmax(tail.size, width);
        }
        double loss = tail.fused.crossEntropyGradient(projectedRows, n, local, scale, w1.floats, w1.at(0, 0),
                gradient.floats, gradient.at(0, 0), dpRows);
        Block dpBlock = new Block(dp);
        dpBlock.floats.put(dpBlock.at(0, 0), dpRows, 0, n * width);
        return loss;
    }

    /** ln p of the target of each of rows [0, M) of {@code top}; only the targets' clusters are computed. */
    double[] targetLogProbabilities(INDArray top, int[] targets) {
        int m = rows;
        double[] logP = new double[m];
        Ops.gemm(top, parameters.value(ParameterShapes.ADAPTIVE_HEAD), head, false, true, 0.0);
        LogSoftmaxRows.logSoftmax(head, m, headTargets(targets, m), logP);
        int[][] members = members(targets, m);
        for (Tail tail : tails) {
            int[] rowsOf = members[tail.index];
            int n = rowsOf.length;
            if (n == 0) {
                continue;
            }
            INDArray x = Ops.rows(gathered, 0, n);
            gatherRows(top, rowsOf, x);
            INDArray z = tail.forward(x, n, false);
            double[] tailLogP = new double[n];
            LogSoftmaxRows.logSoftmax(z, n, localTargets(targets, rowsOf, tail.start), tailLogP);
            for (int j = 0; j < n; j++) {
                logP[rowsOf[j]] += tailLogP[j];  // the head's cluster term is already there
            }
        }
        return logP;
    }

    /** ln p of every id for rows [0, n) of {@code top}, into rows [0, n) of {@code out} [n, V]. */
    void logProbabilities(INDArray top, int n, INDArray out) {
        logProbabilities(top, 0, n, out);
    }

    /**
     * ln p of every id for rows [first, first + n) of {@code top}, written into rows [0, n) of
     * {@code out} [n, V] (rows contiguous): the whole distribution, every cluster computed,
     * {@value #DISTRIBUTION_ROWS} rows at a time.
     */
    void logProbabilities(INDArray top, int first, int n, INDArray out) {
        INDArray weightHead = parameters.value(ParameterShapes.ADAPTIVE_HEAD);
        int shortlist = spec.shortlist();
        for (int from = 0; from < n; from += DISTRIBUTION_ROWS) {
            int count = Math.min(DISTRIBUTION_ROWS, n - from);
            // Copied into a block of a whole array: ND4J's row views of the top layer's outputs (views
            // themselves) came out broken, and the products need contiguous rows anyway.
            int[] rowsOf = new int[count];
            for (int j = 0; j < count; j++) {
                rowsOf[j] = first + from + j;
            }
            INDArray x = Ops.rows(gathered, 0, count);
            gatherRows(top, rowsOf, x);
            INDArray lh = Ops.rows(head, 0, count);
            Ops.gemm(x, weightHead, lh, false, true, 0.0);
            LogSoftmaxRows.logSoftmax(lh, count, null, null);
            double[] headRow = new double[spec.headSize()];
            Block target = new Block(out);
            Block headBlock = new Block(lh);
            for (int r = 0; r < count; r++) {
                headBlock.read(r, 0, headRow, 0, headRow.length);
                target.write(from + r, 0, headRow, 0, shortlist, 0);
            }
            for (Tail tail : tails) {
                INDArray z = tail.forward(x, count, false);
                LogSoftmaxRows.logSoftmax(z, count, null, null);
                Block tailBlock = new Block(z);
                double[] tailRow = new double[tail.size];
                for (int r = 0; r < count; r++) {
                    headBlock.read(r, shortlist + tail.index, headRow, 0, 1);
                    tailBlock.read(r, 0, tailRow, 0, tail.size);
                    target.write(from + r, tail.start, tailRow, 0, tail.size, headRow[0]);
                }
            }
        }
    }

    /**
     * The k most probable ids of each of rows [0, n) of {@code top}, exact over the whole vocabulary,
     * most probable first (ties by lower id), computing only the tail clusters that can still hold
     * a candidate: a cluster's words each have at most its head probability (their tail
     * log-softmax is at most 0), so a cluster whose head log-probability is not above the k-th best
     * so far is skipped. Clusters are visited most probable first, which skips the most.
     */
    LanguageModel.TopTokens topK(INDArray top, int n, int k) {
        int shortlist = spec.shortlist();
        int width = Math.min(k, vocab);
        int[][] ids = new int[n][];
        double[][] logP = new double[n][];
        int computed = 0;
        INDArray lh = Ops.rows(head, 0, n);
        int[] all = new int[n];
        for (int r = 0; r < n; r++) {
            all[r] = r;
        }
        INDArray x = Ops.rows(gathered, 0, n);
        gatherRows(top, all, x);
        Ops.gemm(x, parameters.value(ParameterShapes.ADAPTIVE_HEAD), lh, false, true, 0.0);
        LogSoftmaxRows.logSoftmax(lh, n, null, null);
        Block headBlock = new Block(lh);
        double[] headRow = new double[spec.headSize()];
        for (int r = 0; r < n; r++) {
            headBlock.read(r, 0, headRow, 0, headRow.length);
            Best best = new Best(width);
            for (int w = 0; w < shortlist; w++) {
                best.offer(w, headRow[w]);
            }
            Integer[] order = new Integer[tails.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            double[] clusterLogP = Arrays.copyOfRange(headRow, shortlist, headRow.length);
            Arrays.sort(order, (a, b) -> Double.compare(clusterLogP[b], clusterLogP[a]));
            for (int i : order) {
                if (best.full() && !(clusterLogP[i] > best.worst())) {
                    continue;
                }
                Tail tail = tails[i];
                INDArray z = tail.forward(Ops.rows(gathered, r, r + 1), 1, false);
                LogSoftmaxRows.logSoftmax(z, 1, null, null);
                double[] tailRow = new double[tail.size];
                new Block(z).read(0, 0, tailRow, 0, tail.size);
                for (int j = 0; j < tail.size; j++) {
                    best.offer(tail.start + j, clusterLogP[i] + tailRow[j]);
                }
                computed++;
            }
            ids[r] = best.ids();
            logP[r] = best.values();
        }
        return new LanguageModel.TopTokens(ids, logP, computed);
    }

    /** The best k (id, value) pairs offered, kept in order: larger value first, then lower id. */
    private static final class Best {
        private final int[] ids;
        private final double[] values;
        private int size;

        Best(int k) {
            ids = new int[k];
            values = new double[k];
        }

        boolean full() {
            return size == ids.length;
        }

        double worst() {
            return values[size - 1];
        }

        void offer(int id, double value) {
            if (full() && !(value > worst())) {
                return;  // ids arrive in increasing order within each source, so a tie keeps the lower id
            }
            int at = full() ? size - 1 : size++;
            while (at > 0 && (value > values[at - 1] || (value == values[at - 1] && id < ids[at - 1]))) {
                ids[at] = ids[at - 1];
                values[at] = values[at - 1];
                at--;
            }
            ids[at] = id;
            values[at] = value;
        }

        int[] ids() {
            return Arrays.copyOf(ids, size);
        }

        double[] values() {
            return Arrays.copyOf(values, size);
        }
    }

    /** Each row's head target: its word if in the shortlist, else its cluster's logit. */
    private int[] headTargets(int[] targets, int m) {
        int[] headTargets = new int[m];
        int shortlist = spec.shortlist();
        for (int r = 0; r < m; r++) {
            int cluster = spec.clusterOf(targets[r]);
            headTargets[r] = cluster < 0 ? targets[r] : shortlist + cluster;
        }
        return headTargets;
    }

    /** Per cluster, the rows whose target falls in it, in row order. */
    private int[][] members(int[] targets, int m) {
        int[] counts = new int[tails.length];
        int[] clusterOf = new int[m];
        for (int r = 0; r < m; r++) {
            clusterOf[r] = spec.clusterOf(targets[r]);
            if (clusterOf[r] >= 0) {
                counts[clusterOf[r]]++;
            }
        }
        int[][] members = new int[tails.length][];
        for (int i = 0; i < tails.length; i++) {
            members[i] = new int[counts[i]];
            counts[i] = 0;
        }
        for (int r = 0; r < m; r++) {
            int c = clusterOf[r];
            if (c >= 0) {
                members[c][counts[c]++] = r;
            }
        }
        return members;
    }

    private static int[] localTargets(int[] targets, int[] rowsOf, int start) {
        int[] local = new int[rowsOf.length];
        for (int j = 0; j < rowsOf.length; j++) {
            local[j] = targets[rowsOf[j]] - start;
        }
        return local;
    }

    /** out row j = top row rowsOf[j]. */
    private void gatherRows(INDArray top, int[] rowsOf, INDArray out) {
        Block from = new Block(top);
        Block to = new Block(out);
        double[] row = new double[hidden];
        float[] floatRow = new float[hidden];
        for (int j = 0; j < rowsOf.length; j++) {
            if (dtype == DataType.FLOAT) {
                from.floats.get(from.at(rowsOf[j], 0), floatRow, 0, hidden);
                to.floats.put(to.at(j, 0), floatRow, 0, hidden);
            } else {
                from.read(rowsOf[j], 0, row, 0, hidden);
                to.write(j, 0, row, 0, hidden, 0);
            }
        }
    }

    /** target row rowsOf[j] += grad row j. */
    private void scatterAddRows(INDArray grad, int[] rowsOf, INDArray target) {
        Block from = new Block(grad);
        Block to = new Block(target);
        double[] add = new double[hidden];
        double[] sum = new double[hidden];
        for (int j = 0; j < rowsOf.length; j++) {
            from.read(j, 0, add, 0, hidden);
            to.read(rowsOf[j], 0, sum, 0, hidden);
            for (int c = 0; c < hidden; c++) {
                sum[c] += add[c];
            }
            to.write(rowsOf[j], 0, sum, 0, hidden, 0);
        }
    }

    /** Element access to a matrix with contiguous rows at any offset, float or double. */
    private static final class Block {
        final FloatBuffer floats;
        final DoubleBuffer doubles;
        final long base;
        final long width;
        float[] scratch = new float[0];

        Block(INDArray a) {
            width = a.size(1);
            if ((a.size(0) > 1 && a.stride(0) != width) || (width > 1 && a.stride(1) != 1)) {
                throw new IllegalStateException("adaptive softmax blocks need contiguous rows");
            }
            base = a.offset();
            floats = a.dataType() == DataType.FLOAT ? a.data().asNioFloat() : null;
            doubles = a.dataType() == DataType.FLOAT ? null : a.data().asNioDouble();
        }

        int at(int row, int column) {
            return Math.toIntExact(base + row * width + column);
        }

        void read(int row, int column, double[] dst, int offset, int n) {
            if (doubles != null) {
                doubles.get(at(row, column), dst, offset, n);
                return;
            }
            float[] f = scratch(n);
            floats.get(at(row, column), f, 0, n);
            for (int i = 0; i < n; i++) {
                dst[offset + i] = f[i];
            }
        }

        /** Elements [column, column + n) of a row = src[offset..] + add. */
        void write(int row, int column, double[] src, int offset, int n, double add) {
            if (doubles != null) {
                if (add == 0) {
                    doubles.put(at(row, column), src, offset, n);
                    return;
                }
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = src[offset + i] + add;
                }
                doubles.put(at(row, column), d, 0, n);
                return;
            }
            float[] f = scratch(n);
            for (int i = 0; i < n; i++) {
                f[i] = (float) (src[offset + i] + add);
            }
            floats.put(at(row, column), f, 0, n);
        }

        private float[] scratch(int n) {
            if (scratch.length < n) {
                scratch = new float[n];
            }
            return scratch;
        }
    }
}
