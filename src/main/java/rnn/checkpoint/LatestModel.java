package rnn.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** models/latest: the link to the most recently trained model, which commands use without -m. */
public final class LatestModel {
    /** The name of the link to the most recently trained model, beside the model directories. */
    public static final String LATEST = "latest";
    /** Where models go by default and where {@link #LATEST} lives: models/ in the working directory. */
    public static final Path MODELS_ROOT = Path.of("models");

    private LatestModel() {
    }

    /**
     * Points {@code modelsRoot}/latest at the directory, so commands find the last trained model
     * without -m. Only for a directory directly inside the models root, and only over a link this
     * tool made (one naming a sibling directory): a user's own link or file called latest, or one
     * beside a directory given with -o elsewhere, is never touched. Best effort: a file system
     * without links keeps the old one.
     */
    public static void mark(Path modelsRoot, Path directory) {
        Path root = modelsRoot.toAbsolutePath().normalize();
        Path model = directory.toAbsolutePath().normalize();
        if (!root.equals(model.getParent()) || model.getFileName().toString().equals(LATEST)) {
            return;
        }
        Path link = root.resolve(LATEST);
        try {
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS) && !isLatestLinkWeMade(link)) {
                return;
            }
            Path temporary = root.resolve(".latest-" + ProcessHandle.current().pid());
            Files.deleteIfExists(temporary);
            Files.createSymbolicLink(temporary, model.getFileName());
            Files.move(temporary, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            // Not fatal: -m still names the model.
        }
    }

    /** The links {@link #mark} makes name one sibling directory: no separator, not "." or "..". */
    private static boolean isLatestLinkWeMade(Path link) throws IOException {
        if (!Files.isSymbolicLink(link)) {
            return false;
        }
        Path target = Files.readSymbolicLink(link);
        String name = target.toString();
        return !target.isAbsolute() && target.getNameCount() == 1 && !name.equals(".") && !name.equals("..")
                && !name.equals(LATEST);
    }
}
