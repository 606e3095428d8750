package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.engine.kernel.EngineThreads;
import rnn.text.TextSource;

/**
 * perplexity --independent: each line scored on its own from the zero start state, so a line's
 * score is that of the line alone, whatever comes before it; and --per-token's scores, which add
 * up to the lines' and stream in constant memory.
 */
class IndependentScoringTest {
    @TempDir
    static Path temp;
    static InferenceModel windows;
    static InferenceModel stream;

    /** Lines of several lengths, one longer than the window (6), an empty one, OOVs. */
    static final String TEXT = TestModels.RHYMES + "the zebra sat on the <unk> mat .\n\nMary had a little zebra .\n"
            + "the cat sat on the mat and the dog sat on the rug and the sun is warm today .\n" + TestModels.RHYMES;

    @BeforeAll
    static void train() {
        windows = InferenceModel.open(TestModels.train(temp.resolve("windows"), TestModels.Spec.windows().withEpochs(3),
                TestModels.RHYMES, 5));
        stream = InferenceModel.open(TestModels.train(temp.resolve("stream"), TestModels.Spec.stream().withEpochs(4),
                TestModels.RHYMES, 5));
    }

    @Test
    void eachLineScoresAsTheLineAloneByHand() {
        for (InferenceModel model : List.of(windows, stream)) {
            List<Perplexity.Line> lines = independentLines(model, TEXT, Perplexity.STREAMS);
            List<String> input = TEXT.lines().toList();
            assertEquals(input.size(), lines.size());
            for (int i = 0; i < input.size(); i++) {
                // Predictor ranks each prefix of the line alone from the zero state (a window
                // model's last W tokens of it): the line's own tokens, its <eos> included.
                double[] lnP = PerplexityTest.byPredictor(model, PerplexityTest.tokens(model, input.get(i) + "\n"));
                double log10 = 0;
                for (double p : lnP) {
                    log10 += p / Math.log(10);
                }
                assertEquals(lnP.length, lines.get(i).tokens(), input.get(i));
                assertEquals(log10, lines.get(i).log10Probability(), 1e-4, input.get(i));
            }
        }
    }

    @Test
    void aLineScoresTheSameWhateverComesBeforeIt() {
        // Contexts that run across line ends give a repeated line another score; independent lines do not.
        for (InferenceModel model : List.of(windows, stream)) {
            String line = "the cat sat on the mat and the dog sat on the rug .";
            String text = "a dog ran in the park .\n" + line + "\nwe walked to the old mill by the river .\n" + line + "\n";
            List<Perplexity.Line> independent = independentLines(model, text, Perplexity.STREAMS);
            // Equal to float rounding: a batch's products may round a row differently by its place.
            assertEquals(independent.get(1).log10Probability(), independent.get(3).log10Probability(), 1e-5);
            List<Perplexity.Line> alone = independentLines(model, line + "\n", Perplexity.STREAMS);
            assertEquals(alone.get(0).log10Probability(), independent.get(1).log10Probability(), 1e-4);
            List<Perplexity.Line> running = new ArrayList<>();
            Perplexity.score(model, TextSource.of(write(text)), running::add, Perplexity.STREAMS);
            assertTrue(Math.abs(running.get(1).log10Probability() - running.get(3).log10Probability()) > 1e-3,
                    "with contexts across lines the two differ");
        }
    }

    @Test
    void shuffledLinesKeepTheirScores() {
        List<String> input = new ArrayList<>(TEXT.lines().toList());
        List<Perplexity.Line> ordered = independentLines(stream, TEXT, Perplexity.STREAMS);
        Collections.reverse(input);
        List<Perplexity.Line> reversed = independentLines(stream, String.join("\n", input) + "\n", Perplexity.STREAMS);
        for (int i = 0; i < ordered.size(); i++) {
            Perplexity.Line a = ordered.get(i);
            Perplexity.Line b = reversed.get(ordered.size() - 1 - i);
            assertEquals(a.text(), b.text());
            assertEquals(a.log10Probability(), b.log10Probability(), 1e-5, a.text());
        }
    }

    @Test
    void linesCutByTinyChunksAndSharedBetweenThreadsScoreTheSame() {
        // Chunks of 2 x 3 tokens cut most lines, so they continue alone with their state kept;
        // two threads each run half the batches of whole lines.
        int before = EngineThreads.configured();
        try {
            for (InferenceModel model : List.of(windows, stream)) {
                EngineThreads.set(1);
                List<Perplexity.Line> defaults = independentLines(model, TEXT, Perplexity.STREAMS);
                EngineThreads.set(2);
                for (int streams : new int[] {1, 2, 3}) {
                    List<Perplexity.Line> tiny = new ArrayList<>();
                    Perplexity.Report report = Perplexity.score(model, TextSource.of(write(TEXT)),
                            new Perplexity.Options(streams, true), tiny::add, null, 3, 0, 4, 3);
                    assertTrue(report.context().startsWith(model == stream ? "independent lines"
                            : "window (each token from up to 6 preceding tokens of its own line"), report.context());
                    assertEquals(defaults.size(), tiny.size());
                    for (int i = 0; i < defaults.size(); i++) {
                        assertEquals(defaults.get(i).tokens(), tiny.get(i).tokens());
                        assertEquals(defaults.get(i).log10Probability(), tiny.get(i).log10Probability(), 1e-4,
                                streams + " " + defaults.get(i).text());
                    }
                }
            }
        } finally {
            EngineThreads.set(before);
        }
    }

    @Test
    void tokensAddUpToTheirLinesInTextOrder() {
        for (InferenceModel model : List.of(windows, stream)) {
            for (boolean independent : new boolean[] {false, true}) {
                List<Perplexity.Line> lines = new ArrayList<>();
                List<Perplexity.Token> tokens = new ArrayList<>();
                Perplexity.Report report = Perplexity.score(model, TextSource.of(write(TEXT)),
                        new Perplexity.Options(Perplexity.STREAMS, independent), lines::add, tokens::add);
                assertEquals(PerplexityTest.tokens(model, TEXT),
                        tokens.stream().map(Perplexity.Token::token).toList(), "every token, as written, in order");
                assertEquals(report.tokens(), tokens.size());
                double[] perLine = new double[lines.size()];
                long oovs = 0;
                long previousLine = 1;
                for (Perplexity.Token token : tokens) {
                    assertTrue(token.line() >= previousLine);
                    previousLine = token.line();
                    perLine[(int) token.line() - 1] += token.log10Probability();
                    assertEquals(!model.vocabulary().contains(token.token()), token.oov(), token.token());
                    oovs += token.oov() ? 1 : 0;
                }
                assertEquals(report.oovs(), oovs);
                for (int i = 0; i < lines.size(); i++) {
                    assertEquals(lines.get(i).log10Probability(), perLine[i], 1e-9);
                }
            }
        }
    }

    @Test
    void tokensStreamFromAnEndlessText() {
        // A text that never ends: the pass stops when the sink says so, after one chunk.
        InputStream endless = new InputStream() {
            private final byte[] line = "Mary had a little lamb .\n".getBytes(StandardCharsets.UTF_8);
            private long position;

            @Override
            public int read() {
                return line[(int) (position++ % line.length)];
            }
        };
        List<Perplexity.Token> tokens = new ArrayList<>();
        Perplexity.Report report = Perplexity.score(stream, TextSource.of(endless, "endless"),
                new Perplexity.Options(Perplexity.STREAMS, true), null, token -> tokens.add(token) && tokens.size() < 10);
        assertFalse(report.complete());
        assertEquals(10, tokens.size());
        assertEquals(List.of("Mary", "had", "a", "little", "lamb", ".", "<eos>", "Mary", "had", "a"),
                tokens.stream().map(Perplexity.Token::token).toList());
        assertEquals(tokens.get(0).log10Probability(), tokens.get(7).log10Probability(), 1e-9,
                "each line starts afresh");
    }

    private static List<Perplexity.Line> independentLines(InferenceModel model, String text, int streams) {
        List<Perplexity.Line> lines = new ArrayList<>();
        Perplexity.score(model, TextSource.of(write(text)), new Perplexity.Options(streams, true), lines::add, null);
        return lines;
    }

    private static Path write(String text) {
        try {
            Path file = Files.createTempFile(temp, "text", ".txt");
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
