package rnn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.workflow.InferenceModel;
import rnn.workflow.Predictor;
import rnn.workflow.TestModels;

/**
 * The prediction queue, driven by hand (no model threads of its own): requests waiting together
 * are answered in one batch, each with what it gets alone; a request still queued at its deadline
 * gives up and is skipped.
 */
class PredictBatcherTest {
    @TempDir
    static Path temp;
    static InferenceModel model;

    @BeforeAll
    static void train() {
        model = InferenceModel.open(TestModels.train(temp.resolve("stream"), TestModels.Spec.stream().withEpochs(2),
                TestModels.RHYMES, 2));
    }

    @Test
    void requestsWaitingTogetherAreAnsweredInOneBatchEachAsAlone() throws Exception {
        PredictBatcher batcher = new PredictBatcher(model, 0);
        String[] contexts = {"Mary had a little", "", "the zebra sat on the", "a dog ran in the park and the cat",
            "Mary had a little", "sun", "the cat sat on the mat . ".repeat(10)};
        ExecutorService clients = Executors.newFixedThreadPool(contexts.length);
        try {
            List<Future<Predictor.Ranking>> answers = new ArrayList<>();
            for (int i = 0; i < contexts.length; i++) {
                Predictor.Query query = new Predictor.Query(contexts[i], 1 + i % 5);
                answers.add(clients.submit(() -> batcher.rank(query, System.nanoTime() + Duration.ofMinutes(1).toNanos())));
            }
            waitUntil(() -> batcher.waiting() == contexts.length);
            Predictor predictor = new Predictor(model.sharingParameters());
            assertEquals(contexts.length, batcher.answerWaiting(predictor, new ArrayList<>()), "one batch");
            Predictor alone = new Predictor(model.sharingParameters());
            for (int i = 0; i < contexts.length; i++) {
                Predictor.Ranking expected = alone.rank(contexts[i], 1 + i % 5);
                Predictor.Ranking actual = answers.get(i).get();
                assertEquals(expected.context(), actual.context());
                assertEquals(expected.unknownWords(), actual.unknownWords(), contexts[i]);
                assertEquals(expected.candidates().size(), actual.candidates().size(), contexts[i]);
                for (int j = 0; j < expected.candidates().size(); j++) {
                    assertEquals(expected.candidates().get(j).token(), actual.candidates().get(j).token(), contexts[i]);
                    assertEquals(expected.candidates().get(j).probability(), actual.candidates().get(j).probability(),
                            1e-6 * expected.candidates().get(j).probability(), contexts[i]);
                }
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aRequestStillQueuedAtItsDeadlineGivesUpAndIsSkipped() throws Exception {
        PredictBatcher batcher = new PredictBatcher(model, 0);
        long deadline = System.nanoTime() + Duration.ofMillis(50).toNanos();
        assertThrows(TimeoutException.class, () -> batcher.rank(new Predictor.Query("Mary had a", 3), deadline));
        assertTrue(System.nanoTime() >= deadline, "waited until its deadline");
        assertEquals(1, batcher.waiting());
        assertEquals(0, batcher.answerWaiting(new Predictor(model.sharingParameters()), new ArrayList<>()),
                "nothing left to answer");
    }

    @Test
    void modelThreadsAnswerOnTheirOwn() throws Exception {
        PredictBatcher batcher = new PredictBatcher(model, 2);
        try {
            Predictor.Ranking ranking = batcher.rank(new Predictor.Query("Mary had a little", 2),
                    System.nanoTime() + Duration.ofMinutes(1).toNanos());
            assertEquals(2, ranking.candidates().size());
        } finally {
            batcher.stop();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting");
            Thread.sleep(5);
        }
    }
}
