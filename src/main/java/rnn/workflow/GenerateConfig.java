package rnn.workflow;

import rnn.InvalidConfigException;

/**
 * What {@code rnn generate} should do, validated before any model is loaded; messages name the option.
 *
 * @param prime       text to continue (may be empty: start from the zero state)
 * @param words       tokens to generate, at least 1
 * @param temperature divides the logits before the softmax; 0 means greedy (argmax)
 * @param topK        sample only among the K most probable tokens (null = all)
 * @param topP        sample only among the most probable tokens whose probabilities add up to P (null = all)
 * @param seed        random seed; null picks a random one (reported in the result)
 */
public record GenerateConfig(String prime, int words, double temperature, Integer topK, Double topP, Long seed) {
    public GenerateConfig {
        prime = prime == null ? "" : prime;
        if (words < 1) {
            throw new InvalidConfigException("-n must be at least 1, got " + words);
        }
        if (!(temperature >= 0 && Double.isFinite(temperature))) {
            throw new InvalidConfigException("--temperature must be 0 (greedy) or positive, got " + temperature);
        }
        if (topK != null && topK < 1) {
            throw new InvalidConfigException("--top-k must be at least 1, got " + topK);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new InvalidConfigException("--top-p must be in (0, 1], got " + topP);
        }
    }

    /** Greedy decoding: the most probable token each step. */
    public static GenerateConfig greedy(String prime, int words) {
        return new GenerateConfig(prime, words, 0.0, null, null, 0L);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
