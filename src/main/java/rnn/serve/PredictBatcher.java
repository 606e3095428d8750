package rnn.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import rnn.workflow.InferenceModel;
import rnn.workflow.Predictor;

/**
 * Answers next-token rankings in batches: request threads queue their context and wait; each of
 * a few model threads takes every request waiting (up to {@link #MAX_BATCH}) and ranks them
 * together ({@link Predictor#rankAll}), one batched pass through the network, which costs about
 * what one request costs alone. Each model thread has its own buffers over the shared weights;
 * the bounded queue is the only thing requests share.
 */
final class PredictBatcher {
    private static final Logger LOG = LogManager.getLogger(PredictBatcher.class);
    /** The most requests one pass reads side by side. */
    static final int MAX_BATCH = 32;
    /** Requests that may wait at once; beyond that the server answers 503 at once. */
    static final int QUEUE_CAPACITY = 256;

    /** A queued request: whoever sets {@code taken} first, a model thread or the request giving up, owns it. */
    record Job(Predictor.Query query, CompletableFuture<Predictor.Ranking> answer, AtomicBoolean taken) {
    }

    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final List<Thread> threads = new ArrayList<>();

    PredictBatcher(InferenceModel shared, int modelThreads) {
        InferenceModel serving = shared.forServing();  // one set of transposed weights for all threads
        for (int i = 1; i <= modelThreads; i++) {
            Predictor predictor = new Predictor(serving.sharingParameters());
            Thread thread = new Thread(() -> run(predictor), "rnn-predict-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * The ranking of {@code query}. A request still queued at {@code deadline} (System.nanoTime())
     * gives up; one a model thread has taken gets its answer (a single pass, not cut short).
     *
     * @throws ApiError 503 when the queue is full
     * @throws TimeoutException when the deadline passes while still queued
     */
    Predictor.Ranking rank(Predictor.Query query, long deadline) throws InterruptedException, TimeoutException {
        Job job = new Job(query, new CompletableFuture<>(), new AtomicBoolean());
        if (!queue.offer(job)) {
            throw new ApiError(503, "the server is busy: " + QUEUE_CAPACITY + " predictions are waiting");
        }
        try {
            try {
                return job.answer().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (job.taken().compareAndSet(false, true)) {
                    throw e;  // no model thread will read it now
                }
                return job.answer().get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the model threads (once no request waits on them). */
    void stop() {
        threads.forEach(Thread::interrupt);
    }

    private void run(Predictor predictor) {
        List<Job> jobs = new ArrayList<>(MAX_BATCH);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                answerWaiting(predictor, jobs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Requests queued now. */
    int waiting() {
        return queue.size();
    }

    /**
     * Waits for a request, then answers it and all others waiting (up to {@link #MAX_BATCH}) in one
     * batch; returns how many it answered (0 if all had given up). {@code jobs} is scratch space.
     */
    int answerWaiting(Predictor predictor, List<Job> jobs) throws InterruptedException {
        jobs.clear();
        jobs.add(queue.take());
        queue.drainTo(jobs, MAX_BATCH - 1);
        jobs.removeIf(job -> !job.taken().compareAndSet(false, true));  // given up while queued
        if (jobs.isEmpty()) {
            return 0;
        }
        List<Predictor.Query> queries = new ArrayList<>(jobs.size());
        jobs.forEach(job -> queries.add(job.query()));
        try {
            List<Predictor.Ranking> rankings = predictor.rankAll(queries);
            for (int i = 0; i < jobs.size(); i++) {
                jobs.get(i).answer().complete(rankings.get(i));
            }
        } catch (Throwable e) {
            // Whatever failed, answer each request alone so that only the one at fault fails.
            LOG.debug("a batch of {} failed ({}); ranking each alone", jobs.size(), e.toString());
            for (Job job : jobs) {
                try {
                    job.answer().complete(predictor.rank(job.query().context(), job.query().k()));
                } catch (Throwable alone) {
                    job.answer().completeExceptionally(alone);
                }
            }
        }
        return jobs.size();
    }
}
