package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.LatestModel;
import rnn.checkpoint.ModelStore;

/**
 * Where `rnn train` writes: never through a symbolic link (models/latest, a planted .lock), never
 * into a directory of the user's files, and models/latest only inside the models root and only
 * over a link the tool made.
 */
class OutputDirectorySafetyTest {
    private static final String[] TINY = {"--epochs", "1", "--max-batches", "2", "--hidden", "8", "--embedding", "4",
            "--window", "4", "--validation-split", "0", "--quiet"};
    private static final String TEXT = "the cat sat on the mat .\n".repeat(20);

    @TempDir
    Path temp;

    /** The report: a corpus named latest.txt replaced models/sample and left latest -> latest. */
    @Test
    void aCorpusNamedLatestNeitherWritesThroughTheLinkNorReplacesIt() throws Exception {
        Files.writeString(temp.resolve("sample.txt"), TEXT);
        Files.writeString(temp.resolve("latest.txt"), "a dog ran in the big park today .\n".repeat(20));
        assertEquals(0, trainIn(temp, "sample.txt"));
        Path models = temp.resolve("models");
        assertEquals(Path.of("sample"), Files.readSymbolicLink(models.resolve(LatestModel.LATEST)));
        Map<String, byte[]> sample = snapshot(models.resolve("sample"));

        assertEquals(0, trainIn(temp, "latest.txt", "--force"));
        assertEquals(sample.keySet(), snapshot(models.resolve("sample")).keySet());
        snapshot(models.resolve("sample")).forEach((name, bytes) ->
                assertArrayEquals(sample.get(name), bytes, name + " of models/sample is untouched"));
        assertTrue(Files.isRegularFile(models.resolve("latest-corpus").resolve(ModelStore.MANIFEST)));
        assertEquals(Path.of("latest-corpus"), Files.readSymbolicLink(models.resolve(LatestModel.LATEST)));

        // --resume models/latest continues the model the link names, in that model's directory.
        assertEquals(0, trainIn(temp, "--resume", "models/latest", "--epochs", "2"));
        assertEquals(2, ManifestFiles.read(models.resolve("latest-corpus")).progress().epochsCompleted());
        assertEquals(Path.of("latest-corpus"), Files.readSymbolicLink(models.resolve(LatestModel.LATEST)));
    }

    @Test
    void defaultOutputNamesAreDirectoriesOfTheirOwn() {
        assertEquals("latest-corpus", TrainOptions.corpusName("dir/latest.txt"));
        assertEquals("latest-corpus", TrainOptions.corpusName("latest"));
        assertEquals("corpus", TrainOptions.corpusName("/"));
        assertEquals("corpus", TrainOptions.corpusName(".."));
        assertEquals("notes", TrainOptions.corpusName("a/notes.txt"));
    }

    @Test
    void anOutputThatIsASymbolicLinkIsRefused() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), TEXT);
        Path real = Files.createDirectories(temp.resolve("models/real"));
        Path link = Files.createSymbolicLink(temp.resolve("models").resolve(LatestModel.LATEST), Path.of("real"));
        CliRun run = train(corpus, link, "--force");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("rnn train: " + link + ": is a symbolic link; give the directory itself as --output", run.err().strip());
        assertEquals(List.of(), list(real), "nothing written through the link");
    }

    @Test
    void aDirectoryOfTheUsersFilesIsRefusedWithOrWithoutForce() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), TEXT);
        Path mine = Files.createDirectories(temp.resolve("mine"));
        Files.writeString(mine.resolve(ModelStore.VOCABULARY), "my own vocabulary");
        Files.writeString(mine.resolve(ModelStore.HISTORY), "my own history");
        Files.writeString(mine.resolve(".notes.0123456789abcdef.tmp"), "my own hidden file");
        Map<String, byte[]> before = snapshot(mine);
        for (String[] extra : new String[][] {{}, {"--force"}}) {
            CliRun run = train(corpus, mine, extra);
            assertEquals(1, run.exitCode(), run.err());
            assertEquals("rnn train: " + mine + ": not empty and not an rnn model directory (it holds "
                    + ".notes.0123456789abcdef.tmp); choose a new or empty --output", run.err().strip());
            assertEquals(before.keySet(), snapshot(mine).keySet(), "no file added (not even .lock) or deleted");
            snapshot(mine).forEach((name, bytes) -> assertArrayEquals(before.get(name), bytes, name));
        }
        Path empty = Files.createDirectories(temp.resolve("empty"));
        assertEquals(0, train(corpus, empty).exitCode(), "an empty directory is fine");
    }

    @Test
    void forceReplacesAModelButKeepsTheUsersFilesBesideIt() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), TEXT);
        Path model = temp.resolve("model");
        assertEquals(0, train(corpus, model).exitCode());
        Path notes = Files.writeString(model.resolve("notes.txt"), "about this model");
        Path hidden = Files.writeString(model.resolve(".notes.txt.0123456789abcdef.tmp"), "a user's hidden file");
        Path leftover = Files.writeString(model.resolve("." + ModelStore.RESUME + ".0123456789abcdef.tmp"), "half a save");
        CliRun run = train(corpus, model, "--force");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("about this model", Files.readString(notes));
        assertEquals("a user's hidden file", Files.readString(hidden));
        assertFalse(Files.exists(leftover), "the tool's own unfinished save is cleaned up");
    }

    @Test
    void latestMovesOnlyInsideTheModelsRootAndOnlyOverItsOwnLink() throws IOException {
        Path root = Files.createDirectories(temp.resolve("models"));
        Path a = Files.createDirectories(root.resolve("a"));
        Path b = Files.createDirectories(root.resolve("b"));
        Path latest = root.resolve(LatestModel.LATEST);

        LatestModel.mark(root, a);
        assertEquals(Path.of("a"), Files.readSymbolicLink(latest));
        LatestModel.mark(root, b);
        assertEquals(Path.of("b"), Files.readSymbolicLink(latest), "the tool's own link moves");
        LatestModel.mark(root, latest);
        assertEquals(Path.of("b"), Files.readSymbolicLink(latest), "never latest -> latest");

        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere/model"));
        LatestModel.mark(root, elsewhere);
        assertEquals(Path.of("b"), Files.readSymbolicLink(latest), "a model outside the root does not move it");
        assertFalse(Files.exists(elsewhere.resolveSibling(LatestModel.LATEST), LinkOption.NOFOLLOW_LINKS),
                "nor makes a latest beside itself");

        Path users = temp.resolve("users-target");
        Files.delete(latest);
        Files.createSymbolicLink(latest, users.toAbsolutePath());
        LatestModel.mark(root, a);
        assertEquals(users.toAbsolutePath(), Files.readSymbolicLink(latest), "a link the user made stays");

        Files.delete(latest);
        Files.createDirectories(latest);
        LatestModel.mark(root, a);
        assertTrue(Files.isDirectory(latest, LinkOption.NOFOLLOW_LINKS), "a real directory called latest stays");
    }

    /** -o DIR elsewhere: DIR's parent may hold the user's own latest (here -> another folder); it is not replaced. */
    @Test
    void trainingWithOutputElsewhereLeavesALatestThereAlone() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), TEXT);
        Path users = Files.createDirectories(temp.resolve("users"));
        Path link = Files.createSymbolicLink(temp.resolve(LatestModel.LATEST), users.toAbsolutePath());
        assertEquals(0, train(corpus, temp.resolve("model")).exitCode());
        assertEquals(users.toAbsolutePath(), Files.readSymbolicLink(link));
    }

    @Test
    void aLockFileThatIsASymbolicLinkIsNotFollowed() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), TEXT);
        Path model = temp.resolve("model");
        assertEquals(0, train(corpus, model).exitCode());
        Path lock = model.resolve(".lock");
        Files.delete(lock);
        Path target = temp.resolve("created-through-the-link");
        Files.createSymbolicLink(lock, target);
        for (CliRun run : List.of(CliRun.of("train", "--resume", model.toString(), "--epochs", "2", "--quiet"),
                train(corpus, model, "--force"))) {
            assertEquals(1, run.exitCode(), run.err());
            assertEquals(1, run.err().lines().count(), run.err());
            assertTrue(run.firstErrorLine().startsWith("rnn train: " + lock + ": not a regular file"), run.err());
            assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "nothing created at the link's target");
        }
    }

    private static CliRun train(Path corpus, Path output, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", corpus.toString(), "-o", output.toString()));
        args.addAll(List.of(TINY));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** `rnn train` in its own process with {@code directory} as working directory, so models/ is there. */
    private static int trainIn(Path directory, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train"));
        command.addAll(List.of(args));
        if (!args[0].equals("--resume")) {
            command.addAll(List.of(TINY));
        }
        Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(directory.resolve("stderr.txt").toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "train finished");
        if (process.exitValue() != 0) {
            System.err.println(Files.readString(directory.resolve("stderr.txt")));
        }
        return process.exitValue();
    }

    private static List<String> list(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, byte[]> snapshot(Path directory) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path file : entries.filter(Files::isRegularFile).toList()) {
                files.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }
}
