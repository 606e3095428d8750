package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.text.TextSource;
import rnn.workflow.InferenceModel;
import rnn.workflow.Perplexity;

/**
 * rnn train NEW.txt --init-from MODEL_DIR: fine-tuning starts from the parent's weights, network
 * and vocabulary with fresh optimizer state, lowers the perplexity of the new text, and records
 * where it came from.
 */
class FineTuneTest {
    private static final String FIRST = "the cat sat on the mat .\na dog ran in the park .\n";
    private static final String SECOND = "the dog sat in the park .\na cat ran on the mat .\n";

    @TempDir
    static Path temp;
    static Path parent;
    static Path second;

    @BeforeAll
    static void trainParent() throws IOException {
        Path first = Files.writeString(temp.resolve("first.txt"), FIRST.repeat(30));
        second = Files.writeString(temp.resolve("second.txt"), SECOND.repeat(30) + "a zebra sat .\n");
        parent = temp.resolve("parent");
        CliRun run = CliRun.of("train", first.toString(), "-o", parent.toString(), "--hidden", "16", "--embedding", "8",
                "--window", "4", "--stride", "1", "--epochs", "3", "--validation-split", "0", "--lr", "0.01", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
    }

    @Test
    void fineTuningOnASecondTextLowersItsPerplexityAndKeepsTheParentsVocabulary() throws IOException {
        Path child = temp.resolve("child");
        CliRun run = CliRun.of("train", second.toString(), "--init-from", parent.toString(), "-o", child.toString(),
                "--window", "4", "--stride", "1", "--epochs", "3", "--validation-split", "0", "--lr", "0.01");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("fine-tuning " + parent + " (its network, and its vocabulary of"), run.err());

        double before = perplexity(parent);
        double after = perplexity(child);
        assertTrue(after < 0.8 * before, "perplexity of the second text: " + before + " before, " + after + " after");

        assertArrayEquals(Files.readAllBytes(parent.resolve(ModelStore.VOCABULARY)),
                Files.readAllBytes(child.resolve(ModelStore.VOCABULARY)), "the parent's vocabulary; zebra is <unk>");
        ModelManifest parentManifest = ManifestFiles.read(parent);
        ModelManifest manifest = ManifestFiles.read(child);
        assertEquals(parentManifest.network(), manifest.network());
        assertEquals(3, manifest.progress().epochsCompleted(), "progress starts afresh");
        ModelManifest.Session session = manifest.sessions().get(0);
        assertEquals("fine-tune", session.kind());
        assertEquals(parent.toRealPath().toString(), session.parent().directory());
        assertEquals(ModelStore.weightsSha256(parent), session.parent().weightsSha256());
        assertEquals(parentManifest.corpus().name(), session.parent().corpus());
        CliRun summary = CliRun.of("summary", "-m", child.toString());
        assertTrue(summary.out().contains("fine-tuned from " + parent.toRealPath()), summary.out());
    }

    @Test
    void itStartsFromTheParentsWeights() {
        Path still = temp.resolve("still");
        CliRun run = CliRun.of("train", second.toString(), "--init-from", parent.toString(), "-o", still.toString(),
                "--window", "4", "--epochs", "1", "--max-batches", "1", "--validation-split", "0", "--optimizer", "sgd",
                "--lr", "1e-12", "--clip", "0", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(perplexity(parent), perplexity(still), 1e-6 * perplexity(parent),
                "one step of a vanishing learning rate leaves the parent's weights");
    }

    @Test
    void optionsThatWouldChangeTheNetworkOrVocabularyAreRefused() {
        Path child = temp.resolve("refused");
        CliRun run = CliRun.of("train", second.toString(), "--init-from", parent.toString(), "-o", child.toString(),
                "--hidden", "32", "--max-vocab", "10", "--lr", "0.1");
        assertEquals(2, run.exitCode(), run.err());
        assertEquals("rnn train: --init-from " + parent + " takes its network, vocabulary and tokenizer from that model,"
                + " so it refuses --hidden, --max-vocab (words the vocabulary lacks are read as <unk>)",
                run.firstErrorLine());
        assertFalse(Files.exists(child));

        CliRun onItself = CliRun.of("train", second.toString(), "--init-from", parent.toString(), "-o", parent.toString());
        assertEquals(2, onItself.exitCode(), onItself.err());
        assertTrue(onItself.firstErrorLine().contains("is the --init-from model itself"), onItself.err());
    }

    private static double perplexity(Path model) {
        return Perplexity.score(InferenceModel.open(model), TextSource.of(second.toString()), null, 1).perplexity();
    }
}
