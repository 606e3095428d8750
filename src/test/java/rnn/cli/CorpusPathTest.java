package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ManifestFiles;

/** model.json stores the corpus and validation paths absolute, so --resume finds them from any directory. */
class CorpusPathTest {
    @TempDir
    Path temp;

    @Test
    void pathsGivenRelativeAreStoredAbsolute() throws IOException {
        Path corpus = Files.writeString(temp.resolve("c.txt"), "the cat sat on the mat .\n".repeat(20));
        Path valid = Files.writeString(temp.resolve("v.txt"), "the cat sat on the mat .\n".repeat(5));
        Path here = Path.of("").toAbsolutePath();
        String relativeCorpus = here.relativize(corpus).toString();
        String relativeValid = here.relativize(valid).toString();
        assertTrue(!Path.of(relativeCorpus).isAbsolute());
        Path model = temp.resolve("model");
        CliRun run = CliRun.of("train", relativeCorpus, "--valid", relativeValid, "-o", model.toString(), "--epochs", "1",
                "--hidden", "8", "--embedding", "4", "--window", "4", "--max-batches", "2", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        ModelManifest manifest = ManifestFiles.read(model);
        assertEquals(List.of(corpus.toAbsolutePath().normalize().toString()), manifest.data().corpora());
        assertEquals(valid.toAbsolutePath().normalize().toString(), manifest.data().validFile());
        assertEquals(relativeCorpus, manifest.corpus().name(), "shown as the user wrote it");
    }
}
