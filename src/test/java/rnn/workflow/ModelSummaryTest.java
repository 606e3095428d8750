package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.train.NetworkConfig;

/** The summary's layers and counts agree with the loaded model, and describing a model never loads ND4J. */
class ModelSummaryTest {
    @TempDir
    static Path temp;
    static Path stacked;
    static Path tied;
    static Path oneHot;

    @BeforeAll
    static void train() {
        stacked = TestModels.train(temp.resolve("stacked"), new TestModels.Spec("word", 6, 3, Objective.ALL, false,
                CellType.LSTM, 2, 12, 8, 0.2, false, 1, 0.01), TestModels.RHYMES, 2);
        tied = TestModels.train(temp.resolve("tied"), new TestModels.Spec("word", 5, 2, Objective.LAST, false,
                CellType.GRU_CLASSIC, 1, 10, 10, 0.0, true, 1, 0.01), TestModels.RHYMES, 2);
        oneHot = TestModels.train(temp.resolve("onehot"), new TestModels.Spec("whitespace", 4, 4, Objective.ALL, true,
                CellType.RNN, 1, 7, 0, 0.0, false, 1, 0.01), TestModels.RHYMES, 2);
    }

    @Test
    void parameterTotalsEqualTheLoadedModels() {
        for (Path directory : List.of(stacked, tied, oneHot)) {
            ModelSummary summary = ModelSummary.read(directory);
            long count = ModelStore.load(directory).model().parameters().count();
            assertEquals(count, summary.totalParameters(), directory.toString());
            assertEquals(count, summary.layers().stream().mapToLong(ModelSummary.Layer::parameters).sum());
            assertTrue(summary.describe().contains(String.format(Locale.ROOT, "Total params: %,d (%.2f MB as float32)", count,
                    count * 4 / 1e6)), summary.describe().toString());
        }
    }

    @Test
    void layersFollowTheArchitecture() {
        ModelSummary summary = ModelSummary.read(stacked);
        int v = summary.vocabularySize();
        // embedding V*8; LSTM gates 4*12: layer 0 48*8 + 48*12 + 2*48; layer 1 48*12 + 48*12 + 2*48; decoder V*12 + V
        assertEquals(List.of(
                "embedding (Embedding) (batch, 6, 8) " + v * 8,
                "dropout (Dropout 0.2) (batch, 6, 8) 0",
                "lstm (LSTM) (batch, 6, 12) " + (48 * 8 + 48 * 12 + 96),
                "dropout_1 (Dropout 0.2) (batch, 6, 12) 0",
                "lstm_1 (LSTM) (batch, 6, 12) " + (48 * 12 + 48 * 12 + 96),
                "dropout_2 (Dropout 0.2) (batch, 6, 12) 0",
                "decoder (Dense) (batch, 6, " + v + ") " + (v * 12 + v)), rows(summary));

        ModelSummary last = ModelSummary.read(tied);
        int w = last.vocabularySize();
        assertEquals(List.of(
                "embedding (Embedding) (batch, 5, 10) " + w * 10,
                "gru (GRU, classic) (batch, 10) " + (30 * 10 + 30 * 10 + 60),
                "decoder (Dense, weights tied to embedding) (batch, " + w + ") " + w), rows(last));
        assertEquals("last", last.sequences().objective());

        ModelSummary streams = ModelSummary.read(oneHot);
        int u = streams.vocabularySize();
        assertEquals(List.of(
                "one_hot (OneHot) (batch, 4, " + u + ") 0",
                "simple_rnn (SimpleRNN) (batch, 4, 7) " + (7 * u + 7 * 7 + 14),
                "decoder (Dense) (batch, 4, " + u + ") " + (u * 7 + u)), rows(streams));
        assertTrue(streams.sequences().stateful());
        assertTrue(streams.describe().stream().anyMatch(l -> l.startsWith("sequences: stream, 8 parallel streams")),
                streams.describe().toString());
        assertEquals("whitespace", streams.tokenizer());
    }

    @Test
    void historyAndProvenanceComeFromTheManifest() {
        ModelSummary summary = ModelSummary.read(stacked);
        var manifest = ManifestFiles.read(stacked);
        assertEquals(1, summary.history().epochsCompleted());
        assertEquals(manifest.progress().history().get(0).trainLoss(), summary.history().lastTrainLoss());
        assertEquals(manifest.corpus(), summary.corpus());
        assertEquals(manifest.provenance(), summary.provenance());
        assertTrue(summary.describe().stream().anyMatch(l -> l.startsWith("training: 1 of 1 epochs completed")));
    }

    @Test
    void initializationComesFromTheManifest() {
        // The test models start uniform(0.1); the line and the JSON field say so.
        ModelSummary summary = ModelSummary.read(stacked);
        assertEquals(new ModelSummary.Start("uniform", 0.1, 0.0), summary.start());
        assertTrue(summary.describe().contains("initialization: uniform in [-0.1, 0.1]"), summary.describe().toString());
        assertTrue(summary.toJson().contains("\"start\":{\"init\":\"uniform\",\"init_scale\":0.1,\"forget_bias\":0.0}"),
                summary.toJson());
        // The seed preset's start: Keras' orthogonal recurrent kernels and forget-gate biases of 1.
        NetworkConfig keras = new NetworkConfig(CellType.LSTM, 1, 8, 0, 0.0, false, "orthogonal", 0.05, 1.0);
        assertEquals("initialization: orthogonal recurrent kernels, Glorot-uniform other weights, zero biases;"
                + " forget-gate biases 1.0", ModelSummary.Start.of(keras).describe());
        NetworkConfig gru = new NetworkConfig(CellType.GRU, 1, 8, 0, 0.0, false, "glorot", 0.05, 1.0);
        assertEquals("initialization: glorot (Glorot-uniform weights, zero biases)", ModelSummary.Start.of(gru).describe(),
                "a GRU has no forget gate: --forget-bias changes nothing there");
    }

    /**
     * Runs {@code rnn summary} in a class loader of its own, which sees the same class path but
     * shares no loaded classes with this JVM's tests, and checks which classes that run loaded.
     */
    @Test
    void summaryLoadsNoNd4jBackend() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        try (Isolated loader = new Isolated(urls.toArray(URL[]::new))) {
            Class<?> main = loader.loadClass("rnn.cli.Main");
            Object commandLine = main.getMethod("commandLine").invoke(null);
            StringWriter out = new StringWriter();
            commandLine.getClass().getMethod("setOut", PrintWriter.class).invoke(commandLine, new PrintWriter(out));
            commandLine.getClass().getMethod("setErr", PrintWriter.class).invoke(commandLine, new PrintWriter(new StringWriter()));
            Object code = commandLine.getClass().getMethod("execute", String[].class)
                    .invoke(commandLine, (Object) new String[] {"summary", "-m", stacked.toString()});
            assertEquals(0, code);
            assertTrue(out.toString().contains("Total params:"), out.toString());
            assertTrue(loader.loaded("rnn.workflow.ModelSummary"), "the check sees classes the run loaded");
            assertFalse(loader.loaded("org.nd4j.linalg.factory.Nd4j"), "summary must not start ND4J");
            assertFalse(loader.loaded("org.bytedeco.javacpp.Loader"), "summary must not load native code");
            assertFalse(loader.loaded("rnn.engine.Parameters"), "shapes come from ParameterShapes");
        }
    }

    private static List<String> rows(ModelSummary summary) {
        return summary.layers().stream()
                .map(l -> l.name() + " (" + l.type() + ") " + l.outputShape() + " " + l.parameters()).toList();
    }

    private static final class Isolated extends URLClassLoader {
        Isolated(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }
    }
}
