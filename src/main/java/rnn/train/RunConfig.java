package rnn.train;

import rnn.InvalidConfigException;

/**
 * Settings of one invocation that are not part of the model: where it is saved, how many threads
 * compute, how often it saves and whether epochs are cut short. Never stored in model.json, so a
 * resumed run takes them afresh.
 *
 * @param output     the model directory
 * @param threads    engine threads (0 = one per core)
 * @param saveEvery  also save every N steps (0 = at the end of each epoch only)
 * @param maxBatches stop each epoch after N batches (0 = whole epochs)
 */
public record RunConfig(String output, int threads, int saveEvery, int maxBatches) {
    public RunConfig {
        if (output == null || output.isEmpty()) {
            throw new InvalidConfigException("--output needs a directory");
        }
        if (threads < 0) {
            throw new InvalidConfigException("--threads must not be negative (0 = automatic), got " + threads);
        }
        if (saveEvery < 0) {
            throw new InvalidConfigException("--save-every must not be negative (0 = each epoch only), got " + saveEvery);
        }
        if (maxBatches < 0) {
            throw new InvalidConfigException("--max-batches must not be negative (0 = whole epochs), got " + maxBatches);
        }
    }

    public RunConfig withOutput(String newOutput) {
        return new RunConfig(newOutput, threads, saveEvery, maxBatches);
    }
}
