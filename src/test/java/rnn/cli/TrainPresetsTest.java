package rnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import rnn.engine.CellType;
import rnn.train.Preset;
import rnn.train.TrainConfig;

/**
 * Presets are the one table of defaults: a run with no options gets exactly the chosen preset's
 * values, and {@code --help} shows them as each option's default, grouped under headings.
 */
class TrainPresetsTest {

    @ParameterizedTest
    @EnumSource(Preset.class)
    void aRunWithoutOptionsGetsThePresetsTable(Preset preset) {
        TrainConfig config = parse("train", "c.txt", "--preset", preset.cliName()).options.config(List.of("c.txt"));
        Map<String, String> settings = new LinkedHashMap<>(preset.settings());
        if (!config.network().adaptive()) {
            // A full-softmax network keeps no adaptive settings (model.json has none to mislead).
            settings.remove("cutoffs");
            settings.remove("div-value");
        }
        Map<String, String> actual = asOptions(config);
        assertEquals(settings.keySet(), actual.keySet(), "every option in the table is a setting of the run");
        settings.forEach((option, value) -> assertSameValue(option, value, actual.get(option)));
    }

    @ParameterizedTest
    @EnumSource(Preset.class)
    void helpShowsThePresetsValuesAsDefaults(Preset preset) {
        CliRun help = CliRun.of("train", "--preset", preset.cliName(), "--help");
        assertEquals(0, help.exitCode(), help.err());
        Map<String, String> blocks = optionBlocks(help.out());
        preset.settings().forEach((option, value) -> {
            String block = blocks.get(option);
            assertNotNull(block, "--" + option + " is in --help");
            assertTrue(block.contains("Default: " + value + "\n"), "--" + option + " shows default " + value
                    + " for preset " + preset.cliName() + ":\n" + block);
        });
    }

    @Test
    void helpGroupsTheOptionsUnderHeadings() {
        String help = CliRun.of("train", "--help").out();
        int data = help.indexOf("\nData:\n");
        int network = help.indexOf("\nNetwork:\n");
        int optimization = help.indexOf("\nOptimization:\n");
        int run = help.indexOf("\nRun:\n");
        assertTrue(data > 0 && data < network && network < optimization && optimization < run, help);
        assertTrue(help.indexOf("--window=N") > data && help.indexOf("--window=N") < network);
        assertTrue(help.indexOf("--hidden=N") > network && help.indexOf("--hidden=N") < optimization);
        assertTrue(help.indexOf("--lr=X") > optimization && help.indexOf("--lr=X") < run);
        assertTrue(help.indexOf("--threads=N") > run);
    }

    @Test
    void everyTrainOptionHasADescription() {
        CommandLine train = Main.commandLine().getSubcommands().get("train");
        for (OptionSpec option : train.getCommandSpec().options()) {
            String description = String.join(" ", option.description()).strip();
            assertFalse(description.isEmpty(), option.longestName() + " has a description");
        }
    }

    @Test
    void presetsListsEachPresetAndWhatItSets() {
        CliRun all = CliRun.of("presets");
        assertEquals(0, all.exitCode(), all.err());
        for (Preset preset : Preset.values()) {
            assertTrue(all.out().contains(preset.cliName() + ": " + preset.description() + "\n"), all.out());
        }
        assertTrue(all.out().contains("seed: " + Preset.SEED.description() + "\n  --tokenizer regex:\\w+\n"), all.out());

        CliRun one = CliRun.of("presets", "ptb-tied");
        assertEquals(0, one.exitCode(), one.err());
        assertEquals(Preset.PTB_TIED.settings().size(), one.out().lines().count());
        assertTrue(one.out().contains("  --tied true\n") && one.out().contains("  --lr 20\n"), one.out());

        CliRun unknown = CliRun.of("presets", "huge");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.firstErrorLine().contains("'huge' is not a preset; choose one of default, seed,"),
                unknown.err());
    }

    @Test
    void givenOptionsOverrideThePreset() {
        TrainConfig config = parse("train", "c.txt", "--preset", "ptb-tied", "--no-tied", "--embedding", "100",
                "--lr", "5").options.config(List.of("c.txt"));
        assertFalse(config.network().tied());
        assertEquals(100, config.network().embedding());
        assertEquals(5.0, config.optimization().lr());
        assertEquals(35, config.data().window(), "the rest still comes from the preset");
    }

    private static TrainCommand parse(String... args) {
        CommandLine cli = Main.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return (TrainCommand) parsed.subcommand().commandSpec().userObject();
    }

    /** The help text of each option, by name without dashes: from its line to the next option's. */
    private static Map<String, String> optionBlocks(String help) {
        Map<String, String> blocks = new LinkedHashMap<>();
        String name = null;
        StringBuilder block = new StringBuilder();
        for (String line : help.lines().toList()) {
            var start = java.util.regex.Pattern.compile("^ {2}(?:-\\w, | {4})--(?:\\[no-])?([a-z-]+)").matcher(line);
            if (start.find() || line.isBlank()) {
                if (name != null) {
                    blocks.put(name, block.toString());
                }
                name = line.isBlank() ? null : start.group(1);
                block.setLength(0);
            }
            block.append(line).append('\n');
        }
        if (name != null) {
            blocks.put(name, block.toString());
        }
        return blocks;
    }

    /** A run's settings named and spelled as the preset table does. */
    private static Map<String, String> asOptions(TrainConfig c) {
        Map<String, String> o = new LinkedHashMap<>();
        var d = c.data();
        o.put("tokenizer", d.tokenizer());
        o.put("lowercase", String.valueOf(d.lowercase()));
        o.put("min-count", String.valueOf(d.minCount()));
        o.put("max-vocab", String.valueOf(d.maxVocab()));
        o.put("window", String.valueOf(d.window()));
        o.put("stride", String.valueOf(d.stride()));
        o.put("objective", d.objective().name());
        o.put("stateful", String.valueOf(d.stateful()));
        o.put("validation-split", String.valueOf(d.validationSplit()));
        var n = c.network();
        o.put("cell", n.cell() == CellType.GRU_CLASSIC ? "gru" : n.cell() == CellType.RNN_RELU ? "rnn" : n.cell().name());
        o.put("gru-variant", n.cell() == CellType.GRU_CLASSIC ? "classic" : "pytorch");
        o.put("activation", n.cell() == CellType.RNN_RELU ? "relu" : "tanh");
        o.put("layers", String.valueOf(n.layers()));
        o.put("hidden", String.valueOf(n.hidden()));
        o.put("softmax", n.softmax());
        if (n.adaptive()) {
            o.put("cutoffs", n.cutoffs() == null ? "auto" : n.cutoffs().toString());
            o.put("div-value", String.valueOf(n.divValue()));
        }
        o.put("embedding", String.valueOf(n.embedding()));
        o.put("dropout", String.valueOf(n.dropout()));
        o.put("dropout-kind", n.dropoutKind());
        o.put("dropoute", String.valueOf(n.dropoute()));
        o.put("wdrop", String.valueOf(n.wdrop()));
        o.put("tied", String.valueOf(n.tied()));
        o.put("init", n.init());
        o.put("init-scale", String.valueOf(n.initScale()));
        o.put("forget-bias", String.valueOf(n.forgetBias()));
        var p = c.optimization();
        o.put("loss", p.loss().cliName());
        o.put("optimizer", p.optimizer());
        o.put("lr", String.valueOf(p.lr()));
        o.put("momentum", String.valueOf(p.momentum()));
        o.put("lr-decay", String.valueOf(p.lrDecay()));
        o.put("decay-after", String.valueOf(p.decayAfter()));
        o.put("decay-on-plateau", String.valueOf(p.decayOnPlateau()));
        o.put("clip", String.valueOf(p.clip()));
        o.put("epochs", String.valueOf(p.epochs()));
        o.put("batch-size", String.valueOf(p.batchSize()));
        o.put("shuffle", String.valueOf(p.shuffle()));
        o.put("patience", String.valueOf(p.patience()));
        o.put("seed", String.valueOf(p.seed()));
        var r = c.run();
        o.put("threads", String.valueOf(r.threads()));
        o.put("save-every", String.valueOf(r.saveEvery()));
        o.put("max-batches", String.valueOf(r.maxBatches()));
        return o;
    }

    private static void assertSameValue(String option, String expected, String actual) {
        try {
            assertEquals(Double.parseDouble(expected), Double.parseDouble(actual), 0.0, "--" + option);
        } catch (NumberFormatException notANumber) {
            assertEquals(expected.toLowerCase(Locale.ROOT), actual.toLowerCase(Locale.ROOT), "--" + option);
        }
    }
}
