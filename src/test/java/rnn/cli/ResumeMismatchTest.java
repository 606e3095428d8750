package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ModelStore;

/** --resume refuses files that do not belong to the run, as loading for predict does. */
class ResumeMismatchTest {
    @TempDir
    Path temp;

    @Test
    void aVocabularyFromAnotherModelIsRefused() throws IOException {
        // Two corpora with vocabularies of the same size but different words.
        Path cats = Files.writeString(temp.resolve("cats.txt"), "the cat sat on the mat .\n".repeat(20));
        Path dogs = Files.writeString(temp.resolve("dogs.txt"), "a dog ran in a park !\n".repeat(20));
        Path catModel = train(cats, "cats");
        Path dogModel = train(dogs, "dogs");
        Files.copy(dogModel.resolve(ModelStore.VOCABULARY), catModel.resolve(ModelStore.VOCABULARY),
                StandardCopyOption.REPLACE_EXISTING);
        byte[] resumeFile = Files.readAllBytes(catModel.resolve(ModelStore.RESUME));

        CliRun resumed = CliRun.of("train", "--resume", catModel.toString(), "--epochs", "2", "--quiet");
        assertEquals(1, resumed.exitCode(), resumed.err());
        assertEquals("rnn train: " + catModel.resolve(ModelStore.VOCABULARY)
                + ": does not match the vocabulary the model was trained with", resumed.err().strip());
        assertTrue(java.util.Arrays.equals(resumeFile, Files.readAllBytes(catModel.resolve(ModelStore.RESUME))),
                "nothing was trained or saved");
    }

    private Path train(Path corpus, String name) {
        Path model = temp.resolve(name);
        CliRun run = CliRun.of("train", corpus.toString(), "-o", model.toString(), "--hidden", "8", "--embedding", "4",
                "--epochs", "1", "--window", "4", "--validation-split", "0", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        return model;
    }
}
