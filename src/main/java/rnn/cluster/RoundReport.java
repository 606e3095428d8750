package rnn.cluster;

/**
 * What one round did, for progress lines: local steps per worker, the mean training loss of the
 * round, tokens trained on by all workers, and where the time went. Compute is the slowest
 * worker's time in its steps; communication is the rest of the round's wall time (broadcasting
 * the weights, scheduling, the aggregation tree).
 *
 * @param bytesPerWorker values sent to each worker plus those it sends back
 */
public record RoundReport(int epoch, int round, int rounds, int lastBatch, int batchesPerEpoch, int steps,
                          double loss, long tokens, double seconds, double computeSeconds, long bytesPerWorker) {
    public double communicationSeconds() {
        return Math.max(0, seconds - computeSeconds);
    }
}
