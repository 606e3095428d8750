package rnn.text;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** rnn.text must stay light (no ND4J, so text-only commands start fast) and silent (no printing). */
class TextPackageGuardTest {
    private static final List<String> FORBIDDEN = List.of(
            "org.nd4j", "org.deeplearning4j", "picocli", "System.out", "System.err", "printStackTrace");

    @Test
    void sourcesUseNeitherNd4jNorPicocliNorPrint() throws IOException {
        Path folder = Path.of("src/main/java/rnn/text");
        List<Path> sources;
        try (Stream<Path> files = Files.list(folder)) {
            sources = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        assertFalse(sources.isEmpty(), "run from the project root");
        for (Path source : sources) {
            String text = Files.readString(source);
            for (String forbidden : FORBIDDEN) {
                assertFalse(text.contains(forbidden), source + " mentions " + forbidden);
            }
        }
    }
}
