package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.RnnException;
import rnn.checkpoint.LatestModel;

/**
 * Commands without -m use the model trained last, wherever -o put it (issue 13), while the tool
 * still touches only its own things inside the models root (issue 14): the latest.path record and
 * its own latest link, never a link, file or directory the user made, never anything beside -o.
 */
class LatestModelTest {
    @TempDir
    Path temp;

    /** The report: `rnn train x -o m && rnn predict ...` said "models/latest does not exist". */
    @Test
    void predictWithoutModelUsesTheModelJustTrainedWithOutput() throws Exception {
        Files.writeString(temp.resolve("x.txt"), "the cat sat on the mat .\n".repeat(20));
        Result train = rnnIn(temp, "train", "x.txt", "-o", "m", "--epochs", "1", "--max-batches", "2", "--hidden", "8",
                "--embedding", "4", "--window", "4", "--validation-split", "0", "--quiet");
        assertEquals(0, train.code(), train.err());
        Result predict = rnnIn(temp, "predict", "-k", "3", "the", "cat");
        assertEquals(0, predict.code(), predict.err());
        assertEquals(3, predict.out().lines().count(), predict.out());
        Path models = temp.resolve("models");
        assertEquals(temp.resolve("m").toRealPath().toString(),
                Files.readString(models.resolve(LatestModel.RECORD)).strip());
        assertFalse(Files.exists(models.resolve(LatestModel.LATEST), LinkOption.NOFOLLOW_LINKS),
                "no link to a model outside the models root");
        assertFalse(Files.exists(temp.resolve(LatestModel.LATEST), LinkOption.NOFOLLOW_LINKS), "nothing beside -o");
    }

    @Test
    void theRecordFollowsEveryRunTheLinkOnlyThoseInsideTheRoot() throws IOException {
        Path root = temp.resolve("models");
        Path a = Files.createDirectories(root.resolve("a"));
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere/m"));
        Path latest = root.resolve(LatestModel.LATEST);

        LatestModel.mark(root, a);
        assertEquals(Path.of("a"), Files.readSymbolicLink(latest));
        assertEquals(latest, LatestModel.resolve(root), "named by the link when it agrees with the record");

        LatestModel.mark(root, elsewhere);
        assertEquals(Path.of("a"), Files.readSymbolicLink(latest), "the link names models in the root only");
        assertEquals(elsewhere.toAbsolutePath(), LatestModel.resolve(root), "the record names the model trained last");

        Path b = Files.createDirectories(root.resolve("b"));
        Files.delete(latest);
        Path users = Files.createDirectories(temp.resolve("users"));
        Files.createSymbolicLink(latest, users.toAbsolutePath());
        LatestModel.mark(root, b);
        assertEquals(users.toAbsolutePath(), Files.readSymbolicLink(latest), "the user's link stays");
        assertEquals(b.toAbsolutePath(), LatestModel.resolve(root));
    }

    @Test
    void withoutARecordTheLinkIsUsedAndWithoutEitherTheErrorSaysSo() throws IOException {
        Path root = Files.createDirectories(temp.resolve("models"));
        RnnException none = assertThrows(RnnException.class, () -> LatestModel.resolve(root));
        assertEquals("no model given and " + root.resolve(LatestModel.LATEST)
                + " does not exist; train one first or pass -m DIR", none.getMessage());
        Path old = Files.createDirectories(root.resolve("old"));
        Files.createSymbolicLink(root.resolve(LatestModel.LATEST), Path.of("old"));
        assertEquals(root.resolve(LatestModel.LATEST), LatestModel.resolve(root), "a model trained before the record");
        assertTrue(Files.isSameFile(old, LatestModel.resolve(root)));
    }

    @Test
    void aRecordOfAModelSinceDeletedIsAnErrorNamingIt() throws IOException {
        Path root = temp.resolve("models");
        Path gone = Files.createDirectories(temp.resolve("gone"));
        LatestModel.mark(root, gone);
        Files.delete(gone);
        RnnException error = assertThrows(RnnException.class, () -> LatestModel.resolve(root));
        assertEquals("no model given, and the model trained last, " + gone.toAbsolutePath() + " (named in "
                + root.resolve(LatestModel.RECORD) + "), is gone; pass -m DIR", error.getMessage());
    }

    @Test
    void aRecordNameTheUserTookIsLeftAlone() throws IOException {
        Path root = temp.resolve("models");
        Path mine = Files.createDirectories(root.resolve(LatestModel.RECORD));
        Files.writeString(mine.resolve("notes.txt"), "mine");
        LatestModel.mark(root, Files.createDirectories(temp.resolve("m")));
        assertTrue(Files.isDirectory(mine, LinkOption.NOFOLLOW_LINKS));
        assertEquals("mine", Files.readString(mine.resolve("notes.txt")));
        assertEquals("latest.path-corpus", TrainOptions.corpusName("texts/latest.path.txt"));
    }

    private record Result(int code, String out, String err) {
    }

    /** rnn in its own process with {@code directory} as working directory, so models/ is there. */
    private static Result rnnIn(Path directory, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = directory.resolve("stdout.txt");
        Path err = directory.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "rnn finished");
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
