package rnn.train;

/**
 * What one epoch did. Losses are mean cross-entropy (or the chosen loss) per predicted token,
 * in nats; validation figures are null without validation data.
 */
public record EpochResult(int epoch, double trainLoss, Double validationLoss, Double validationPerplexity,
                          double learningRate, long tokens, double tokensPerSecond, double seconds) {
}
