package rnn.train;

/**
 * What one epoch did. Losses are mean cross-entropy (or the chosen loss) per predicted token,
 * in nats; perplexities are exp(loss), null for a loss where that means nothing (mse).
 * Validation figures are null without validation data; accuracies are the share of validation
 * predictions whose target the model ranked first (top-1) or among its 5 most probable tokens.
 */
public record EpochResult(int epoch, double trainLoss, Double trainPerplexity, Double validationLoss,
                          Double validationPerplexity, Double validationAccuracy, Double validationTop5Accuracy,
                          double learningRate, long tokens, double tokensPerSecond, double seconds) {
}
