package rnn.train;

import java.nio.file.Path;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import rnn.engine.LanguageModel;
import rnn.text.Vocabulary;

/** Where the trainer's results go; the checkpoint layer implements it over a model directory. */
public interface Checkpointer {
    /** Once, before the first batch: what never changes during the run. */
    void begin(TrainConfig config, Vocabulary vocabulary, LanguageModel model, CorpusSummary corpus);

    /**
     * The state after a completed step: latest weights plus optimizer state, carried recurrent
     * state (may be empty) and progress, enough to resume exactly; {@code improved} also makes
     * these weights the ones the model is used with. Returns the file written.
     */
    Path save(LanguageModel model, Map<String, INDArray> optimizerState, Map<String, INDArray> recurrentState,
              Progress progress, boolean improved);

    /** Facts about the training text recorded with the model. */
    record CorpusSummary(String name, long tokens, long trainTokens, long validationTokens, String sha256) {
    }
}
