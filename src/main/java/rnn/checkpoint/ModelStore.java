package rnn.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import rnn.RnnException;
import rnn.engine.ParameterShapes;
import rnn.engine.Parameters;
import rnn.engine.LanguageModel;
import rnn.text.Vocabulary;

/**
 * A model directory: model.json (architecture, settings, provenance), vocab.json, model.safetensors
 * (the weights to use: best validation loss so far), last.safetensors (latest weights plus optimizer
 * and progress, for --resume), history.json and loss.png. Every file is replaced atomically, so a
 * killed run leaves each file either old or new, never torn.
 */
public final class ModelStore {
    public static final String MANIFEST = "model.json";
    public static final String VOCABULARY = "vocab.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String RESUME = "last.safetensors";
    public static final String HISTORY = "history.json";
    public static final String PLOT = "loss.png";
    private static final String LOCK = ".lock";
    private static final long MAX_MANIFEST_BYTES = 64L << 20;
    private static final String DIGEST_KEY = "sha256";
    private static final Pattern DIGEST_LINE = Pattern.compile("\\{(\\r?\\n)  \"" + DIGEST_KEY + "\" : \"([^\"\\r\\n]*)\",\\r?\\n");
    /** The name of the link to the most recently trained model, beside the model directories. */
    public static final String LATEST = "latest";
    /** Where models go by default and where {@link #LATEST} lives: models/ in the working directory. */
    public static final Path MODELS_ROOT = Path.of("models");
    /** Every file a run writes into a model directory; --force replaces these and nothing else. */
    private static final Set<String> RUN_FILES = Set.of(MANIFEST, VOCABULARY, WEIGHTS, RESUME, HISTORY, PLOT, LOCK);

    private ModelStore() {
    }

    /** A trained model ready to use. */
    public record LoadedModel(Path directory, ModelManifest manifest, Vocabulary vocabulary, LanguageModel model) {
    }

    /** Reads and cross-checks model.json, vocab.json and model.safetensors. */
    public static LoadedModel load(Path directory) {
        ModelManifest manifest = readManifest(directory);
        Vocabulary vocabulary = readVocabulary(directory, manifest);
        Path weights = directory.resolve(WEIGHTS);
        TensorFile file = SafetensorsReader.read(weights);
        LanguageModel model = buildModel(weights, manifest, file.tensors());
        return new LoadedModel(directory, manifest, vocabulary, model);
    }

    public static ModelManifest readManifest(Path directory) {
        requireDirectory(directory);
        Path file = directory.resolve(MANIFEST);
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

    /** The SHA-256 of the directory's model.safetensors file, to name exactly which weights a fine-tuned model started from. */
    public static String weightsSha256(Path directory) {
        Path file = directory.resolve(WEIGHTS);
        MessageDigest digest = Sha256.newDigest();
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new CheckpointFormatException(file + ": cannot read: " + e.getMessage());
        }
        return Sha256.hex(digest.digest());
    }

    /** Reads vocab.json and checks it is the vocabulary model.json was trained with (size and SHA-256). */
    public static Vocabulary readVocabulary(Path directory, ModelManifest manifest) {
        Path file = directory.resolve(VOCABULARY);
        Vocabulary vocabulary = Vocabulary.load(file);
        if (vocabulary.size() != manifest.architecture().vocabSize()) {
            throw new CheckpointFormatException(file + ": " + vocabulary.size() + " tokens, but the model has "
                    + manifest.architecture().vocabSize());
        }
        String expected = manifest.vocabulary().sha256();
        if (expected != null && !expected.equals(vocabulary.fingerprint())) {
            throw new CheckpointFormatException(file + ": does not match the vocabulary the model was trained with");
        }
        return vocabulary;
    }

    /** Checks names, shapes and dtype of stored tensors against the architecture, then builds the model. */
    static LanguageModel buildModel(Path file, ModelManifest manifest, Map<String, INDArray> tensors) {
        int layers = manifest.architecture().layers();
        if (layers > tensors.size()) {
            // Each layer has 4 tensors: refuse before listing the expected shapes of an absurd layer count.
            throw new CheckpointFormatException(file + ": holds " + tensors.size() + " tensors, but "
                    + MANIFEST + " describes " + layers + " layers of 4 each");
        }
        Map<String, long[]> expected = ParameterShapes.of(manifest.architecture());
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointFormatException(file + ": unexpected tensor '" + name + "'; the model has "
                        + String.join(", ", expected.keySet()));
            }
        }
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> entry : expected.entrySet()) {
            INDArray tensor = tensors.get(entry.getKey());
            if (tensor == null) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' is missing");
            }
            if (!Arrays.equals(tensor.shape(), entry.getValue())) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' has shape "
                        + Arrays.toString(tensor.shape()) + ", the model needs " + Arrays.toString(entry.getValue()));
            }
            if (tensor.dataType() != DataType.FLOAT) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' is "
                        + tensor.dataType() + ", expected F32");
            }
            if (!Parameters.allFinite(tensor)) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey()
                        + "' holds NaN or infinite values; these weights cannot be used");
            }
            values.put(entry.getKey(), tensor);
        }
        return LanguageModel.fromValues(manifest.architecture(), values);
    }

    /** Writes model.json with its digest as the second line (see {@link #checkDigest}). */
    public static void writeManifest(Path directory, ModelManifest manifest) {
        String body = Json.toPrettyJson(manifest);
        int firstLineEnd = body.indexOf('\n') + 1; // after "{" and the line separator
        String digestLine = "  \"" + DIGEST_KEY + "\" : \"" + Sha256.hex(Sha256.newDigest()
                .digest(body.getBytes(StandardCharsets.UTF_8))) + "\"," + body.substring(1, firstLineEnd);
        AtomicFiles.writeString(directory.resolve(MANIFEST),
                body.substring(0, firstLineEnd) + digestLine + body.substring(firstLineEnd));
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

    public static void writeVocabulary(Path directory, Vocabulary vocabulary) {
        AtomicFiles.write(directory.resolve(VOCABULARY), vocabulary::write);
    }

    /** Writes the model's weights (PyTorch names; loadable with safetensors.torch.load_file). */
    public static void writeWeights(Path file, LanguageModel model, Map<String, String> metadata) {
        SafetensorsWriter.write(file, model.parameters().values(), metadata);
    }

    /**
     * Makes sure {@code directory} can hold a model before any work starts: creates it, proves it is
     * writable and takes an exclusive lock (released when the returned handle is closed or the
     * process dies), so two runs never interleave files in one directory. A directory this call
     * created is removed again on close if the run wrote nothing into it.
     *
     * <p>Only a new or empty directory, or one a run already wrote (it holds model.json or the
     * lock file), is accepted: anything else belongs to the user, and a run would overwrite or delete
     * their files. A symbolic link is refused rather than followed, so a run never writes through
     * models/latest (or any link) into another model, nor through a planted .lock into another file.
     */
    public static DirectoryLock lock(Path directory) {
        if (Files.isSymbolicLink(directory)) {
            throw new RnnException(directory + ": is a symbolic link; give the directory itself as --output");
        }
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new RnnException(directory + ": exists and is not a directory; choose another --output");
        }
        boolean created = !Files.exists(directory);
        if (!created) {
            requireModelDirectoryOrEmpty(directory);
        }
        try {
            Files.createDirectories(directory);
            Path probe = Files.createTempFile(directory, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new RnnException(directory + ": cannot write there: " + AtomicFiles.describe(e)
                    + "; choose another --output");
        }
        Path lockFile = directory.resolve(LOCK);
        if (Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new RnnException(lockFile + ": not a regular file (a symbolic link?); rnn does not follow it."
                    + " Remove it if no rnn train is running there");
        }
        try {
            // NOFOLLOW_LINKS as well: a link planted after the check above still fails instead of being followed.
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new RnnException(directory + ": another rnn train is writing there; wait for it or choose another --output");
            }
            removeLeftovers(directory);
            return new DirectoryLock(directory, channel, created);
        } catch (IOException e) {
            throw new RnnException(directory + ": cannot lock: " + AtomicFiles.describe(e));
        }
    }

    /** Whether a run wrote {@code directory}: it holds model.json or the lock file (a first save killed part-way). */
    public static boolean isModelDirectory(Path directory) {
        return Files.isRegularFile(directory.resolve(MANIFEST), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(directory.resolve(LOCK), LinkOption.NOFOLLOW_LINKS);
    }

    private static void requireModelDirectoryOrEmpty(Path directory) {
        if (isModelDirectory(directory)) {
            return;
        }
        Optional<String> someEntry;
        try (var entries = Files.list(directory)) {
            someEntry = entries.map(entry -> entry.getFileName().toString()).sorted().findFirst();
        } catch (IOException e) {
            throw new RnnException(directory + ": cannot read the directory: " + AtomicFiles.describe(e)
                    + "; choose another --output");
        }
        if (someEntry.isPresent()) {
            throw new RnnException(directory + ": not empty and not an rnn model directory (it holds "
                    + someEntry.get() + "); choose a new or empty --output");
        }
    }

    /**
     * Deletes the temporary files of writes that a killed run never finished. Only under the lock:
     * then no other process is writing here. Only temporary files of the model's own files, so a
     * user's hidden *.tmp stays. Best effort: they are hidden and harmless anyway.
     */
    private static void removeLeftovers(Path directory) {
        try (var entries = Files.list(directory)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (AtomicFiles.isTemporaryName(name) && RUN_FILES.contains(AtomicFiles.targetOfTemporary(name))
                        && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException e) {
            // Leftovers stay; the next run tries again.
        }
    }

    /**
     * Points {@code modelsRoot}/latest at the directory, so commands find the last trained model
     * without -m. Only for a directory directly inside the models root, and only over a link this
     * tool made (one naming a sibling directory): a user's own link or file called latest, or one
     * beside a directory given with -o elsewhere, is never touched. Best effort: a file system
     * without links keeps the old one.
     */
    public static void markLatest(Path modelsRoot, Path directory) {
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

    /** The links {@link #markLatest} makes name one sibling directory: no separator, not "." or "..". */
    private static boolean isLatestLinkWeMade(Path link) throws IOException {
        if (!Files.isSymbolicLink(link)) {
            return false;
        }
        Path target = Files.readSymbolicLink(link);
        String name = target.toString();
        return !target.isAbsolute() && target.getNameCount() == 1 && !name.equals(".") && !name.equals("..")
                && !name.equals(LATEST);
    }

    /** Held while a run writes into a model directory. */
    public static final class DirectoryLock implements AutoCloseable {
        private final Path directory;
        private final FileChannel channel;
        private final boolean created;

        private DirectoryLock(Path directory, FileChannel channel, boolean created) {
            this.directory = directory;
            this.channel = channel;
            this.created = created;
        }

        @Override
        public void close() {
            // A run that failed before writing anything (a bad corpus, say) leaves no empty directory behind.
            boolean remove = created && onlyTheLockIn(directory);
            try {
                if (remove) {
                    Files.deleteIfExists(directory.resolve(LOCK));
                }
                channel.close();
                if (remove) {
                    Files.deleteIfExists(directory);
                }
            } catch (IOException ignored) {
                // The lock goes with the process anyway; a leftover empty directory is harmless.
            }
        }

        private static boolean onlyTheLockIn(Path directory) {
            try (var entries = Files.list(directory)) {
                return entries.allMatch(entry -> entry.getFileName().toString().equals(LOCK));
            } catch (IOException e) {
                return false;
            }
        }
    }

    private static void requireDirectory(Path directory) {
        if (!Files.exists(directory)) {
            throw new CheckpointFormatException(directory + ": no such model directory");
        }
        if (!Files.isDirectory(directory)) {
            throw new CheckpointFormatException(directory + ": not a directory");
        }
    }
}
