package rnn.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import rnn.RnnException;

/**
 * Which model was trained last, so that commands find it without -m. Two things in the models
 * root, both only ever written by the tool: {@code latest.path}, a one-line file with the absolute
 * path of the model directory trained last wherever -o put it, and the {@code latest} link, which
 * names it when it is a directory of the models root (the default output).
 */
public final class LatestModel {
    /** The name of the link to the most recently trained model, beside the model directories. */
    public static final String LATEST = "latest";
    /** The name of the file that records the most recently trained model, wherever it is. */
    public static final String RECORD = "latest.path";
    /**
     * Where models go by default and where {@link #LATEST} lives: models/ in the working directory
     * (the tests point it into target/ with -Drnn.models.root, so a test run leaves the user's alone).
     */
    public static final Path MODELS_ROOT = Path.of(System.getProperty("rnn.models.root", "models"));

    private LatestModel() {
    }

    /**
     * The model directory a command without -m means: the one {@link #RECORD} names, else what the
     * {@link #LATEST} link names (models trained before the record existed, or a link the user made).
     */
    public static Path resolve(Path modelsRoot) {
        Path record = modelsRoot.resolve(RECORD);
        if (Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
            Path recorded = readRecord(record);
            if (!Files.isDirectory(recorded)) {
                throw new RnnException("no model given, and the model trained last, " + recorded + " (named in "
                        + record + "), is gone; pass -m DIR");
            }
            Path latest = modelsRoot.resolve(LATEST);
            // Named as models/latest when the link agrees, so messages read as they always did.
            return sameDirectory(latest, recorded) ? latest : recorded;
        }
        Path latest = modelsRoot.resolve(LATEST);
        if (!Files.exists(latest)) {
            throw new RnnException("no model given and " + latest + " does not exist; train one first or pass -m DIR");
        }
        return latest;
    }

    private static boolean sameDirectory(Path link, Path directory) {
        try {
            return Files.isSymbolicLink(link) && Files.isSameFile(link, directory);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path readRecord(Path record) {
        try {
            Optional<String> line = Files.readAllLines(record, StandardCharsets.UTF_8).stream().findFirst();
            Path recorded = Path.of(line.orElse("").strip());
            if (!recorded.isAbsolute()) {
                throw new RnnException(record + ": does not name a model directory (an absolute path); delete it or"
                        + " pass -m DIR");
            }
            return recorded;
        } catch (IOException | InvalidPathException e) {
            throw new RnnException(record + ": cannot read which model was trained last: " + e.getMessage()
                    + "; delete it or pass -m DIR");
        }
    }

    /**
     * Records {@code directory} as the model trained last: {@link #RECORD} names it (and the root
     * is created for it), and the {@link #LATEST} link moves to it when it is inside the root (see
     * {@link #moveLink}). A record file or directory the user put there is left alone. Best effort:
     * -m still names the model.
     */
    public static void mark(Path modelsRoot, Path directory) {
        Path record = modelsRoot.resolve(RECORD);
        try {
            if (!Files.exists(record, LinkOption.NOFOLLOW_LINKS)
                    || Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
                AtomicFiles.writeString(record, directory.toAbsolutePath().normalize() + "\n");
            }
        } catch (RnnException e) {
            // Not fatal: -m still names the model.
        }
        moveLink(modelsRoot, directory);
    }

    /**
     * Points {@code modelsRoot}/latest at the directory, so commands find the last trained model
     * without -m. Only for a directory directly inside the models root, and only over a link this
     * tool made (one naming a sibling directory): a user's own link or file called latest, or one
     * beside a directory given with -o elsewhere, is never touched. Best effort: a file system
     * without links keeps the old one.
     */
    private static void moveLink(Path modelsRoot, Path directory) {
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

    /** The links {@link #moveLink} makes name one sibling directory: no separator, not "." or "..". */
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
