package rnn.workflow;

import java.nio.file.Files;
import java.nio.file.Path;

import rnn.RnnException;
import rnn.checkpoint.LatestModel;

/** Which model directory a command means: the one given with -m, or models/latest. Free of ND4J. */
public final class ModelDirectory {
    private ModelDirectory() {
    }

    /** {@code directory} itself, or models/latest when null (an error if that does not exist). */
    public static Path resolve(Path directory) {
        if (directory != null) {
            return directory;
        }
        Path latest = Path.of("models", LatestModel.LATEST);
        if (!Files.exists(latest)) {
            throw new RnnException("no model given and models/latest does not exist; train one first or pass -m DIR");
        }
        return latest;
    }
}
