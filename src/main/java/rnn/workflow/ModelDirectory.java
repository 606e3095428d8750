package rnn.workflow;

import java.nio.file.Path;

import rnn.checkpoint.LatestModel;

/** Which model directory a command means: the one given with -m, or the one trained last. Free of ND4J. */
public final class ModelDirectory {
    private ModelDirectory() {
    }

    /** {@code directory} itself, or when null the model trained last (an error if there is none). */
    public static Path resolve(Path directory) {
        return directory != null ? directory : LatestModel.resolve(LatestModel.MODELS_ROOT);
    }
}
