package rnn.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import rnn.RnnException;
import rnn.train.EpochResult;

/**
 * A model directory's description files: model.json (format version, settings, progress,
 * provenance; its own SHA-256 on the second line) and history.json (one entry per epoch).
 */
public final class ManifestFiles {
    private static final long MAX_MANIFEST_BYTES = 64L << 20;
    private static final String DIGEST_KEY = "sha256";
    private static final Pattern DIGEST_LINE = Pattern.compile("\\{(\\r?\\n)  \"" + DIGEST_KEY + "\" : \"([^\"\\r\\n]*)\",\\r?\\n");

    private ManifestFiles() {
    }

    /** Reads model.json (either format), checks its digest and that it describes a usable model. */
    public static ModelManifest read(Path directory) {
        ModelStore.requireDirectory(directory);
        Path file = directory.resolve(ModelStore.MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointFormatException(file + ": missing; " + directory + " is not a model directory");
        }
        ModelManifest manifest;
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_MANIFEST_BYTES) {
                throw new CheckpointFormatException(file + ": " + Files.size(file) + " bytes, more than a model"
                        + " description can be (" + MAX_MANIFEST_BYTES + ")");
            }
            bytes = Files.readAllBytes(file);
            JsonNode tree = Json.mapper().readTree(bytes);
            JsonNode format = tree == null ? null : tree.get("format");
            if (format == null || !format.canConvertToExactIntegral() || format.asInt() < 1) {
                throw new CheckpointFormatException(file + ": incomplete model description (no format version)");
            }
            if (format.asInt() > ModelManifest.FORMAT) {
                throw new CheckpointFormatException(file + ": format " + format.asInt()
                        + " is newer than this rnn reads (" + ModelManifest.FORMAT + "); upgrade rnn");
            }
            checkDigest(file, bytes);
            manifest = format.asInt() == 1 ? Json.mapper().treeToValue(tree, LegacyManifest.class).upgrade()
                    : Json.snakeCase().treeToValue(tree, ModelManifest.class);
            if (manifest.data() == null || manifest.network() == null || manifest.optimization() == null
                    || manifest.vocabulary() == null) {
                throw new CheckpointFormatException(file + ": incomplete model description");
            }
            manifest.architecture(); // checks the sizes before anything is allocated for them
        } catch (JsonProcessingException e) {
            // A value our own records refuse (e.g. hidden -5) comes wrapped: its message is the useful part.
            String problem = e.getCause() instanceof RnnException cause ? cause.getMessage() : e.getOriginalMessage();
            throw new CheckpointFormatException(file + ": not a valid model description: "
                    + problem.lines().findFirst().orElse(""));
        } catch (CheckpointFormatException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new CheckpointFormatException(file + ": " + e.getMessage());
        } catch (RnnException e) {
            // Not the user's option: the file is at fault, so a runtime error rather than a usage error.
            throw new CheckpointFormatException(file + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CheckpointFormatException(file + ": cannot read: " + e.getMessage());
        }
        return manifest;
    }

    /** Writes model.json with its digest as the second line (see {@link #checkDigest}). */
    public static void write(Path directory, ModelManifest manifest) {
        String body = Json.toPrettyJson(manifest);
        int firstLineEnd = body.indexOf('\n') + 1; // after "{" and the line separator
        String digestLine = "  \"" + DIGEST_KEY + "\" : \"" + Sha256.hex(Sha256.newDigest()
                .digest(body.getBytes(StandardCharsets.UTF_8))) + "\"," + body.substring(1, firstLineEnd);
        AtomicFiles.writeString(directory.resolve(ModelStore.MANIFEST),
                body.substring(0, firstLineEnd) + digestLine + body.substring(firstLineEnd));
    }

    /** Writes history.json: the epochs' losses, accuracies, speed and learning rate. */
    public static void writeHistory(Path directory, List<EpochResult> history) {
        AtomicFiles.writeString(directory.resolve(ModelStore.HISTORY), Json.toPrettyJson(history));
    }

    /**
     * model.json's second line, {@code "sha256" : "<hex>",}, is the SHA-256 of the file as it reads
     * without that line, so a damaged description (say a window of 22 for 20) is refused rather than
     * used. A file without the line (hand-written, or from an earlier rnn) is not checked.
     */
    private static void checkDigest(Path file, byte[] bytes) {
        Matcher line = DIGEST_LINE.matcher(new String(bytes, 0, Math.min(bytes.length, 100), StandardCharsets.ISO_8859_1));
        if (!line.lookingAt()) {
            return;
        }
        MessageDigest digest = Sha256.newDigest();
        digest.update(bytes, 0, line.end(1));
        digest.update(bytes, line.end(), bytes.length - line.end());
        if (!Sha256.hex(digest.digest()).equals(line.group(2))) { // a damaged value, hex or not, differs too
            throw new CheckpointFormatException(file + ": checksum mismatch, the file is corrupt or was edited"
                    + " (if you changed it on purpose, delete its \"" + DIGEST_KEY + "\" line)");
        }
    }
}
