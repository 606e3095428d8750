package rnn.workflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.train.TrainConfig;
import rnn.train.TrainConfigBuilder;
import rnn.train.TrainingListener;

/** Tiny models trained in a test's temporary directory through {@link Training#start}, in a second or two. */
public final class TestModels {
    /** A short text with some variety, so that sampling has choices. */
    public static final String RHYMES = String.join("\n",
            "Mary had a little lamb , little lamb , little lamb .",
            "Mary had a little lamb whose fleece was white as snow .",
            "the cat sat on the mat and the dog sat on the rug .",
            "a dog ran in the park and the cat ran home .",
            "the sun is warm today and the sky is blue .",
            "we walked to the old mill by the river .") + "\n";

    private TestModels() {
    }

    /** What to vary between the test models; everything else is fixed and small. */
    public record Spec(String tokenizer, int window, int stride, Objective objective, boolean stateful, CellType cell,
                       int layers, int hidden, int embedding, double dropout, boolean tied, int epochs, double lr) {
        /** A word-level window LSTM. */
        public static Spec windows() {
            return new Spec("word", 6, 1, Objective.ALL, false, CellType.LSTM, 1, 24, 16, 0.0, false, 6, 0.02);
        }

        /** A whitespace-tokenized stream LSTM (carried state, {@code <eos>} after every line). */
        public static Spec stream() {
            return new Spec("whitespace", 8, 8, Objective.ALL, true, CellType.LSTM, 1, 24, 16, 0.0, false, 12, 0.02);
        }

        public Spec withEpochs(int n) {
            return new Spec(tokenizer, window, stride, objective, stateful, cell, layers, hidden, embedding, dropout,
                    tied, n, lr);
        }
    }

    /** Writes {@code text} (repeated {@code copies} times) as the corpus and trains a model on it into {@code directory}. */
    public static Path train(Path directory, Spec spec, String text, int copies) {
        try {
            Files.createDirectories(directory.getParent());
            Path corpus = directory.resolveSibling(directory.getFileName() + ".txt");
            Files.writeString(corpus, text.repeat(copies));
            TrainConfig config = TrainConfigBuilder.tiny(corpus, directory).tokenizer(spec.tokenizer())
                    .window(spec.window()).stride(spec.stride()).objective(spec.objective()).stateful(spec.stateful())
                    .cell(spec.cell()).layers(spec.layers()).hidden(spec.hidden()).embedding(spec.embedding())
                    .dropout(spec.dropout()).tied(spec.tied()).epochs(spec.epochs()).batchSize(8).optimizer("adam")
                    .lr(spec.lr()).clip(1.0).seed(3).build();
            Training.start(config, false, new TrainingListener() { }, () -> false);
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
