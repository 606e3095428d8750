package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ModelStore;
import rnn.engine.Batch;
import rnn.engine.LanguageModel;
import rnn.engine.Objective;
import rnn.text.Vocabulary;
import rnn.train.TrainConfig;
import rnn.train.TrainConfigBuilder;
import rnn.train.TrainingListener;

/**
 * A context longer than one chunk ranks exactly as one forward pass over all of it would; contexts
 * ranked together in one batch get what each gets alone.
 */
class PredictorTest {
    @TempDir
    Path temp;

    @Test
    void chunkedLongContextMatchesOnePass() throws IOException {
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, "the cat sat on the mat .\na dog ran in the park .\n".repeat(10));
        Path model = temp.resolve("model");
        TrainConfig config = TrainConfigBuilder.tiny(corpus, model).stateful(true).layers(2).hidden(6).build();
        Training.start(config, false, new TrainingListener() { }, () -> false);
        Predictor predictor = new Predictor(InferenceModel.open(model).forServing());  // the engine's chunks
        Vocabulary vocabulary = predictor.model().vocabulary();

        int length = 2 * Predictor.CHUNK + 77;
        SplittableRandom random = new SplittableRandom(5);
        StringBuilder context = new StringBuilder();
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 1 + random.nextInt(vocabulary.size() - 1);
            context.append(i == 0 ? "" : " ").append(vocabulary.token(ids[i]));
        }
        LanguageModel onePassModel = ModelStore.load(model).model();
        double[] logits = onePassModel.logits(new Batch(1, length, ids, null, Objective.LAST), onePassModel.newState(1))
                .getRow(0).toDoubleVector();
        double max = java.util.Arrays.stream(logits).max().orElseThrow();
        double sum = java.util.Arrays.stream(logits).map(z -> Math.exp(z - max)).sum();

        for (Predictor.Candidate candidate : predictor.rank(context.toString(), 5).candidates()) {
            double expected = Math.exp(logits[vocabulary.id(candidate.token())] - max) / sum;
            assertEquals(expected, candidate.probability(), 1e-6, candidate.token());
        }
    }

    @Test
    void rankAllGivesEachContextWhatItGetsAlone() {
        List<Predictor.Query> queries = new ArrayList<>();
        String[] contexts = {"the cat sat on the mat .", "", "a dog", "the zebra and the yak ran", "dog",
            "the cat sat on the mat .", "a dog ran in the park . ".repeat(12), "park"};
        for (int i = 0; i < contexts.length; i++) {
            queries.add(new Predictor.Query(contexts[i], 1 + i % 4));
        }
        for (TestModels.Spec spec : List.of(TestModels.Spec.stream(), TestModels.Spec.windows())) {
            Path model = TestModels.train(temp.resolve(spec.tokenizer()), spec.withEpochs(2), TestModels.RHYMES, 2);
            Predictor predictor = new Predictor(InferenceModel.open(model).forServing());
            List<Predictor.Ranking> together = predictor.rankAll(queries);
            assertEquals(queries.size(), together.size());
            for (int i = 0; i < queries.size(); i++) {
                Predictor.Ranking alone = predictor.rank(queries.get(i).context(), queries.get(i).k());
                assertSameRanking(alone, together.get(i), spec.tokenizer() + " context " + i);
            }
        }
    }

    /**
     * A predictor opened on a model directory ranks single contexts in plain Java, never building
     * the engine's network, and gets the engine's ranking to 1e-6: stream and window models, an
     * empty context, one longer than the window and one with unknown words. Once its network is
     * built (--complete needs it), it ranks with the engine.
     */
    @Test
    void anOpenedPredictorRanksInPlainJavaAsTheEngineDoes() {
        String[] contexts = {"Mary had a little", "", "the cat sat on the mat and the dog sat on the", "a zebra",
            "we walked to the old mill by the river . ".repeat(5)};
        for (TestModels.Spec spec : List.of(TestModels.Spec.stream(), TestModels.Spec.windows())) {
            Path model = TestModels.train(temp.resolve(spec.tokenizer()), spec.withEpochs(3), TestModels.RHYMES, 2);
            Predictor opened = Predictor.open(model);
            Predictor engine = new Predictor(InferenceModel.open(model).forServing());
            for (String context : contexts) {
                Predictor.Ranking plain = opened.rank(context, 6);
                Predictor.Ranking expected = engine.rank(context, 6);
                assertEquals(expected.context(), plain.context());
                assertEquals(expected.unknownWords(), plain.unknownWords());
                for (int j = 0; j < expected.candidates().size(); j++) {
                    Predictor.Candidate e = expected.candidates().get(j);
                    Predictor.Candidate a = plain.candidates().get(j);
                    assertEquals(e.token(), a.token(), spec.tokenizer() + " '" + context + "' candidate " + j);
                    assertEquals(e.probability(), a.probability(), 1e-6, spec.tokenizer() + " '" + context + "' " + j);
                }
            }
            assertTrue(opened.plainOnly(), "no engine network was built for single short contexts");
            opened.model();
            assertFalse(opened.plainOnly());
            assertSameRanking(engine.rank(contexts[0], 6), opened.rank(contexts[0], 6), spec.tokenizer() + " after");
        }
    }

    /** The same tokens, context and unknown words; the probabilities to float rounding. */
    static void assertSameRanking(Predictor.Ranking expected, Predictor.Ranking actual, String what) {
        assertEquals(expected.context(), actual.context(), what);
        assertEquals(expected.unknownWords(), actual.unknownWords(), what);
        assertEquals(expected.candidates().size(), actual.candidates().size(), what);
        for (int j = 0; j < expected.candidates().size(); j++) {
            Predictor.Candidate e = expected.candidates().get(j);
            Predictor.Candidate a = actual.candidates().get(j);
            assertEquals(e.token(), a.token(), what + " candidate " + j);
            assertEquals(e.probability(), a.probability(), 1e-6 * e.probability(), what + " candidate " + j);
        }
    }

    @Test
    void mostProbableIsTheHeadOfAStableSortOfAllIds() {
        SplittableRandom random = new SplittableRandom(4);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(60);
            int from = random.nextInt(3);  // a row inside a larger array of rows
            float[] z = new float[from + n + 2];
            for (int i = 0; i < z.length; i++) {
                z[i] = random.nextInt(round % 2 == 0 ? 5 : 1000) / 7f;  // many ties, or few
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Float.compare(z[from + b], z[from + a]));
            int k = 1 + random.nextInt(n + 3);
            int[] expected = java.util.Arrays.stream(order).limit(k).mapToInt(Integer::intValue).toArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, Predictor.mostProbable(z, from, n, k),
                    java.util.Arrays.toString(z) + " from=" + from + " n=" + n + " k=" + k);
        }
    }
}
