package rnn.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.text.Tokenizer;
import rnn.text.TokenizerSpec;
import rnn.text.Vocabulary;

/** Generation reads context the way each model was trained, streams exactly its text and never emits <unk>. */
class GeneratorTest {
    @TempDir
    static Path temp;
    static Generator windows;
    static Generator stream;

    @BeforeAll
    static void train() {
        windows = Generator.open(TestModels.train(temp.resolve("windows"), TestModels.Spec.windows(), TestModels.RHYMES, 10));
        stream = Generator.open(TestModels.train(temp.resolve("stream"), TestModels.Spec.stream(), TestModels.RHYMES, 10));
    }

    @Test
    void greedyCompletionIsTheArgmaxOfThePredictorAtEveryStep() {
        // Predictor reads a window model's last W tokens and a stream model's whole context from the zero
        // state: re-ranking the growing text each step must give the same words as the incremental generator.
        for (Generator generator : List.of(windows, stream)) {
            Predictor predictor = new Predictor(generator.model());
            int vocabulary = generator.model().vocabulary().size();
            List<String> tokens = new ArrayList<>(List.of("the", "cat", "sat", "on", "the", "mat", "and", "the"));
            List<String> expected = new ArrayList<>();
            for (int step = 0; step < 12; step++) {
                String best = predictor.rank(String.join(" ", tokens), vocabulary).candidates().stream()
                        .map(Predictor.Candidate::token).filter(t -> !t.equals(Vocabulary.UNKNOWN_TOKEN))
                        .findFirst().orElseThrow();
                expected.add(best);
                tokens.add(best);
            }
            Generator.Result result = generator.complete("the cat sat on the mat and the", 12);
            assertEquals(expected, result.generated());
        }
    }

    @Test
    void theStreamedPiecesAreTheDetokenizedTextAndEosIsALineBreak() {
        StringBuilder streamed = new StringBuilder();
        Generator.Result result = stream.generate(new GenerateConfig("Mary had a", 60, 0.7, null, null, 5L), piece -> {
            streamed.append(piece);
            return true;
        });
        assertEquals(result.text(), streamed.toString());
        assertEquals(60, result.generated().size());
        Tokenizer whitespace = TokenizerSpec.parse("whitespace", false).tokenizer();
        List<String> all = new ArrayList<>(List.of("Mary", "had", "a"));
        all.addAll(result.generated());
        assertEquals(whitespace.detokenize(all), result.text());
        long lineEnds = result.generated().stream().filter("<eos>"::equals).count();
        assertTrue(lineEnds > 0, "60 tokens of a text of short lines hold a line end: " + result.generated());
        assertEquals(lineEnds, result.text().chars().filter(c -> c == '\n').count());
        assertFalse(result.text().contains("<eos>"));
    }

    @Test
    void unkIsNeverGeneratedEvenWhereItIsTheLikeliestToken() {
        String text = "the <unk> sat on the <unk> .\nthe <unk> ran to the <unk> .\na <unk> saw the cat .\n";
        Generator unks = Generator.open(TestModels.train(temp.resolve("unks"), TestModels.Spec.windows(), text, 20));
        Predictor predictor = new Predictor(unks.model());
        assertEquals("<unk>", predictor.rank("sat on the", 1).candidates().get(0).token(),
                "the model has learned that <unk> follows 'the'");
        for (long seed = 1; seed <= 5; seed++) {
            Generator.Result sampled = unks.generate(new GenerateConfig("the", 40, 1.5, null, null, seed), t -> true);
            assertFalse(sampled.generated().contains("<unk>"), sampled.generated().toString());
        }
        assertFalse(unks.complete("sat on the", 20).generated().contains("<unk>"));
    }

    @Test
    void aSeedRepeatsAndDifferentSeedsDiffer() {
        // The model has nearly memorized its text; temperature 2 leaves the seed real choices.
        GenerateConfig first = new GenerateConfig("the", 30, 2.0, null, null, 1L);
        String once = windows.generate(first, t -> true).text();
        assertEquals(once, windows.generate(first, t -> true).text());
        assertNotEquals(once, windows.generate(new GenerateConfig("the", 30, 2.0, null, null, 2L), t -> true).text());
    }

    @Test
    void anEmptyPrimeStartsFromTheZeroState() {
        Generator.Result result = windows.generate(new GenerateConfig("", 5, 0, null, null, null), t -> true);
        Predictor predictor = new Predictor(windows.model());
        String first = predictor.rank("", 3).candidates().stream().map(Predictor.Candidate::token)
                .filter(t -> !t.equals("<unk>")).findFirst().orElseThrow();
        assertEquals(first, result.generated().get(0));
    }

    @Test
    void aClosedSinkStopsGeneration() {
        List<String> pieces = new ArrayList<>();
        Generator.Result result = windows.generate(new GenerateConfig("the", 30, 1.0, null, null, 3L), piece -> {
            pieces.add(piece);
            return pieces.size() < 4;
        });
        assertEquals(4, pieces.size(), "the prime, then three tokens");
        assertEquals(3, result.generated().size());
    }
}
