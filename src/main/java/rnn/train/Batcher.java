package rnn.train;

import rnn.InvalidConfigException;
import rnn.engine.Batch;
import rnn.engine.Objective;
import rnn.text.StreamBatches;
import rnn.text.TokenSpan;
import rnn.text.WindowOrder;
import rnn.text.Windows;

/** Batches over a span in the configured layout, filled on demand into reused arrays. */
abstract class Batcher {
    final int[] inputs;
    final int[] targets;

    /** Allocates the reused arrays once the caller has checked the text holds a batch. */
    Batcher(long cells) {
        if (cells > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigException("a batch of " + cells + " tokens is more than one array holds;"
                    + " use a smaller --batch-size or --window");
        }
        inputs = new int[(int) cells];
        targets = new int[(int) cells];
    }

    /** Throws a one-line RnnException naming {@code description} when the span is too short for one batch. */
    static Batcher of(TrainConfig config, TokenSpan span, int batchSize, String description) {
        return config.data().stateful()
                ? new Streams(new StreamBatches(span, batchSize, config.data().window()).requireNonEmpty(description))
                : new WindowBatches(new Windows(span, config.data().window(), config.data().stride()).requireNonEmpty(description),
                        config, batchSize);
    }

    abstract int count();

    abstract int batchSize();

    abstract WindowOrder order(TrainConfig config, int epoch);

    abstract Batch batch(int index, WindowOrder order);

    private static final class Streams extends Batcher {
        private final StreamBatches streams;

        Streams(StreamBatches streams) {
            // No chunk is longer than a stream less its last token.
            super(streams.batchSize() * Math.min(streams.window(), streams.streamLength() - 1));
            this.streams = streams;
        }

        @Override
        int count() {
            return streams.chunkCount();
        }

        @Override
        int batchSize() {
            return streams.batchSize();
        }

        @Override
        WindowOrder order(TrainConfig config, int epoch) {
            return null;
        }

        @Override
        Batch batch(int index, WindowOrder order) {
            int steps = streams.fill(index, inputs, targets);
            return new Batch(streams.batchSize(), steps, inputs, targets, Objective.ALL);
        }
    }

    private static final class WindowBatches extends Batcher {
        private final Windows windows;
        private final int batchSize;
        private final Objective objective;

        WindowBatches(Windows windows, TrainConfig config, int batchSize) {
            // No batch holds more windows than there are.
            super(Math.min(batchSize, windows.count()) * windows.window());
            this.windows = windows;
            this.batchSize = batchSize;
            this.objective = config.data().objective();
        }

        @Override
        int count() {
            long batches = (windows.count() + batchSize - 1) / batchSize;
            if (batches > Integer.MAX_VALUE) {
                throw new InvalidConfigException(windows.count() + " windows make " + batches + " batches an epoch, more than "
                        + Integer.MAX_VALUE + "; use a larger --batch-size or --stride");
            }
            return (int) batches;
        }

        @Override
        int batchSize() {
            return batchSize;
        }

        @Override
        WindowOrder order(TrainConfig config, int epoch) {
            return config.optimization().shuffle() && epoch > 0 ? WindowOrder.shuffled(windows.count(), config.optimization().seed(), epoch)
                    : windows.order();
        }

        @Override
        Batch batch(int index, WindowOrder order) {
            long from = (long) index * batchSize;
            int size = (int) Math.min(batchSize, order.size() - from);
            windows.fill(order, from, size, inputs, targets, objective == Objective.LAST);
            return new Batch(size, windows.window(), inputs, targets, objective);
        }
    }
}
