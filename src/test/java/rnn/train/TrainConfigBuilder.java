package rnn.train;

import java.nio.file.Path;
import java.util.List;

import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.engine.loss.Loss;

/** Tiny training configurations for tests: small defaults, and only what a test cares about changed. */
public final class TrainConfigBuilder {
    private final Path corpus;
    private final Path output;
    private double validationSplit = 0.0;
    private String tokenizer = "word";
    private int window = 4;
    private int stride = 4;
    private Objective objective = Objective.ALL;
    private boolean stateful;
    private CellType cell = CellType.LSTM;
    private int layers = 1;
    private int hidden = 8;
    private int embedding = 4;
    private double dropout;
    private boolean tied;
    private double initScale = 0.1;
    private int epochs = 1;
    private int batchSize = 4;
    private String optimizer = "sgd";
    private double lr = 0.5;
    private double lrDecay = 1.0;
    private int decayAfter;
    private double clip;
    private long seed = 1;
    private int saveEvery;

    private TrainConfigBuilder(Path corpus, Path output) {
        this.corpus = corpus;
        this.output = output;
    }

    public static TrainConfigBuilder tiny(Path corpus, Path output) {
        return new TrainConfigBuilder(corpus, output);
    }

    public TrainConfigBuilder validationSplit(double value) { validationSplit = value; return this; }
    public TrainConfigBuilder tokenizer(String value) { tokenizer = value; return this; }
    public TrainConfigBuilder window(int value) { window = value; return this; }
    public TrainConfigBuilder stride(int value) { stride = value; return this; }
    public TrainConfigBuilder objective(Objective value) { objective = value; return this; }
    public TrainConfigBuilder stateful(boolean value) { stateful = value; return this; }
    public TrainConfigBuilder cell(CellType value) { cell = value; return this; }
    public TrainConfigBuilder layers(int value) { layers = value; return this; }
    public TrainConfigBuilder hidden(int value) { hidden = value; return this; }
    public TrainConfigBuilder embedding(int value) { embedding = value; return this; }
    public TrainConfigBuilder dropout(double value) { dropout = value; return this; }
    public TrainConfigBuilder tied(boolean value) { tied = value; return this; }
    public TrainConfigBuilder initScale(double value) { initScale = value; return this; }
    public TrainConfigBuilder epochs(int value) { epochs = value; return this; }
    public TrainConfigBuilder batchSize(int value) { batchSize = value; return this; }
    public TrainConfigBuilder optimizer(String value) { optimizer = value; return this; }
    public TrainConfigBuilder lr(double value) { lr = value; return this; }
    public TrainConfigBuilder lrDecay(double value, int after) { lrDecay = value; decayAfter = after; return this; }
    public TrainConfigBuilder clip(double value) { clip = value; return this; }
    public TrainConfigBuilder seed(long value) { seed = value; return this; }
    public TrainConfigBuilder saveEvery(int value) { saveEvery = value; return this; }

    public TrainConfig build() {
        return new TrainConfig(
                new DataConfig(List.of(corpus.toString()), null, validationSplit, tokenizer, false, 1, 0,
                        window, stride, objective, stateful),
                new NetworkConfig(cell, layers, hidden, embedding, dropout, tied, "uniform", initScale, 0.0),
                new OptimizationConfig(Loss.CROSS_ENTROPY, optimizer, lr, 0.0, lrDecay, decayAfter, false, clip,
                        epochs, batchSize, true, 0, seed),
                new RunConfig(output.toString(), 0, saveEvery, 0));
    }
}
