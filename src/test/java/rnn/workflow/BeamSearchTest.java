package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.engine.CellType;
import rnn.engine.Objective;
import rnn.text.Vocabulary;

/**
 * Beam search against exhaustive search on a tiny vocabulary, where every continuation can be
 * scored one prefix at a time by {@link Predictor}; and --beam 1 against the greedy completion.
 */
class BeamSearchTest {
    @TempDir
    static Path temp;
    static InferenceModel windows;
    static InferenceModel stream;

    /** Six tokens and <eos> (whitespace) or five (word): exhaustive search stays small. */
    static final String TINY = "a b c a b d .\nb a c c d .\na a b .\nd c b a .\n";

    @BeforeAll
    static void train() {
        windows = InferenceModel.open(TestModels.train(temp.resolve("windows"), new TestModels.Spec("word", 4, 1,
                Objective.ALL, false, CellType.LSTM, 1, 12, 8, 0.0, false, 4, 0.02), TINY, 20));
        stream = InferenceModel.open(TestModels.train(temp.resolve("stream"), new TestModels.Spec("whitespace", 6, 6,
                Objective.ALL, true, CellType.GRU, 2, 12, 8, 0.0, false, 4, 0.02), TINY, 20));
    }

    @Test
    void aBeamAsWideAsTheVocabularyFindsTheTrueBestOfTwoTokens() {
        for (InferenceModel model : List.of(windows, stream)) {
            for (String context : List.of("", "a b", "d c b a . a b c")) { // the last is longer than the window
                List<Scored> all = exhaustive(model, context, 2);
                int beam = model.vocabulary().size();
                BeamSearch.Result result = new BeamSearch(model).complete(context, 2, beam);
                assertEquals(Math.min(beam, all.size()), result.hypotheses().size());
                // Two tokens: the first step keeps every first token, so the beam's list is the exhaustive top B.
                for (int i = 0; i < result.hypotheses().size(); i++) {
                    assertEquals(all.get(i).log10(), result.hypotheses().get(i).log10Probability(), 1e-6,
                            context + " #" + i);
                }
                assertEquals(all.get(0).tokens(), result.hypotheses().get(0).tokens(), context);
            }
        }
    }

    @Test
    void aBeamThatKeepsEveryPrefixFindsTheTrueBestOfThreeTokens() {
        for (InferenceModel model : List.of(windows, stream)) {
            int candidates = model.vocabulary().size() - 1;
            List<Scored> all = exhaustive(model, "b a", 3);
            BeamSearch.Result result = new BeamSearch(model).complete("b a", 3, candidates * candidates);
            assertEquals(all.get(0).tokens(), result.hypotheses().get(0).tokens());
            assertEquals(all.get(0).log10(), result.hypotheses().get(0).log10Probability(), 1e-6);
            for (int i = 0; i < result.hypotheses().size(); i++) {
                BeamSearch.Hypothesis h = result.hypotheses().get(i);
                double truth = all.stream().filter(s -> s.tokens().equals(h.tokens())).findFirst().orElseThrow().log10();
                assertEquals(truth, h.log10Probability(), 1e-6, "each kept continuation's own total: " + h.tokens());
                assertTrue(i == 0 || result.hypotheses().get(i - 1).log10Probability() >= h.log10Probability(),
                        "best first");
            }
        }
    }

    @Test
    void aBeamOfOneIsTheGreedyCompletion() {
        for (InferenceModel model : List.of(windows, stream)) {
            for (String context : List.of("", "a", "c c d . a b")) {
                Generator.Result greedy = new Generator(model).complete(context, 7);
                BeamSearch.Result beam = new BeamSearch(model).complete(context, 7, 1);
                assertEquals(1, beam.hypotheses().size());
                assertEquals(greedy.generated(), beam.hypotheses().get(0).tokens(), context);
                assertEquals(greedy.text(), beam.hypotheses().get(0).text());
                assertEquals(greedy.completion(), beam.hypotheses().get(0).completion());
            }
        }
    }

    private record Scored(List<String> tokens, double log10) {
    }

    /** Every continuation of {@code words} tokens but <unk>, each scored token by token through Predictor, best first. */
    private static List<Scored> exhaustive(InferenceModel model, String context, int words) {
        Predictor predictor = new Predictor(model);
        Vocabulary vocabulary = model.vocabulary();
        List<String> tokens = new ArrayList<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            if (id != Vocabulary.UNKNOWN_ID) {
                tokens.add(vocabulary.token(id));
            }
        }
        List<Scored> all = new ArrayList<>();
        all.add(new Scored(List.of(), 0));
        for (int step = 0; step < words; step++) {
            List<Scored> longer = new ArrayList<>();
            for (Scored prefix : all) {
                String text = (context + " " + String.join(" ", prefix.tokens())).strip();
                Predictor.Ranking ranking = predictor.rank(text, vocabulary.size());
                for (Predictor.Candidate candidate : ranking.candidates()) {
                    if (tokens.contains(candidate.token())) {
                        List<String> extended = new ArrayList<>(prefix.tokens());
                        extended.add(candidate.token());
                        longer.add(new Scored(extended, prefix.log10() + Math.log10(candidate.probability())));
                    }
                }
            }
            all = longer;
        }
        all.sort(Comparator.comparingDouble(Scored::log10).reversed());
        return all;
    }
}
