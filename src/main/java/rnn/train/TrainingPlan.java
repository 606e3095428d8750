package rnn.train;

/** The facts of a run known once the data is read, reported before training starts. */
public record TrainingPlan(int vocabularySize, long trainTokens, long validationTokens,
                           long parameters, int batchesPerEpoch, int firstEpoch, int epochs, String summary) {
}
