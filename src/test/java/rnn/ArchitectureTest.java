package rnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Data flows one way: text -> engine -> train -> checkpoint -> workflow -> cli (with the engine's
 * own layers kernel -> loss -> engine -> optim, and the entry points beside cli's level below it).
 * A source may import its own package, the root package rnn, and packages of a lower layer only;
 * that also rules out every import cycle between packages.
 */
class ArchitectureTest {
    /** Each package's layer; a package not listed fails the test, so a new one is placed on purpose. */
    private static final Map<String, Integer> LAYERS = Map.ofEntries(
            Map.entry("rnn", 0),
            Map.entry("rnn.text", 1),
            Map.entry("rnn.engine.kernel", 2),
            Map.entry("rnn.engine.loss", 3),
            Map.entry("rnn.engine", 4),
            Map.entry("rnn.engine.optim", 5),
            Map.entry("rnn.train", 6),
            Map.entry("rnn.checkpoint", 7),
            Map.entry("rnn.workflow", 8),
            // Entry points other than the command line (a server, a cluster driver) use the workflow.
            Map.entry("rnn.serve", 9),
            Map.entry("rnn.cluster", 9),
            Map.entry("rnn.cli", 10));
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(rnn(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);

    @Test
    void noPackageImportsAgainstTheFlow() throws IOException {
        List<String> violations = new ArrayList<>();
        List<Path> sources = sources();
        assertTrue(sources.size() > 50, "run from the project root");
        for (Path source : sources) {
            violations.addAll(violations(source, Files.readString(source)));
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckCatchesAnImportAgainstTheFlow() {
        String workflow = "package rnn.workflow;\n\nimport rnn.cli.Main;\nimport rnn.train.Trainer;\n";
        assertEquals(List.of("Example.java (rnn.workflow) imports rnn.cli"), violations(Path.of("Example.java"), workflow));
        String loss = "package rnn.engine.loss;\n\nimport static rnn.engine.LanguageModel.X;\n";
        assertEquals(List.of("Example.java (rnn.engine.loss) imports rnn.engine"), violations(Path.of("Example.java"), loss));
    }

    /**
     * Inference (predict, generate, perplexity, summary, serve) works from what the model directory
     * stores, through InferenceModel and the manifest: no source of it names a training run's options.
     */
    @Test
    void inferenceCodeReadsNoTrainingOptions() throws IOException {
        Pattern trainingOptions = Pattern.compile("\\b(TrainConfig|OptimizationConfig|RunConfig|ResumeChanges|Preset|TrainOptions)\\b");
        List<String> violations = new ArrayList<>();
        for (Path source : sources()) {
            boolean inference = source.startsWith(Path.of("src/main/java/rnn/serve"))
                    || source.startsWith(Path.of("src/main/java/rnn/workflow")) && !source.endsWith("Training.java");
            Matcher found = trainingOptions.matcher(Files.readString(source));
            if (inference && found.find()) {
                violations.add(source.getFileName() + " names " + found.group(1));
            }
        }
        assertEquals(List.of(), violations);
    }

    private static List<String> violations(Path source, String text) {
        Matcher declared = PACKAGE.matcher(text);
        assertTrue(declared.find(), source + " declares its package");
        String own = declared.group(1);
        Integer layer = LAYERS.get(own);
        assertNotNull(layer, own + " (" + source + ") has no layer in ArchitectureTest.LAYERS: place it in the flow");
        List<String> violations = new ArrayList<>();
        Matcher imports = IMPORT.matcher(text);
        while (imports.find()) {
            String imported = imports.group(1);
            Integer importedLayer = LAYERS.get(imported);
            assertNotNull(importedLayer, source + " imports " + imported + ", a package with no layer");
            if (!imported.equals(own) && importedLayer >= layer && !violations.contains(imported)) {
                violations.add(source.getFileName() + " (" + own + ") imports " + imported);
            }
        }
        return violations;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/rnn"))) {
            return files.filter(file -> file.toString().endsWith(".java")).toList();
        }
    }
}
