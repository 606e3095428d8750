package rnn.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import rnn.train.Preset;

/** rnn presets: what each --preset of rnn train sets. */
@Command(name = "presets", mixinStandardHelpOptions = true,
        description = {"List the presets of rnn train and the options each sets differently from the default;",
                "with NAME, every option's value under that preset."})
public final class PresetsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    VerbosityMixin verbosity;

    @Parameters(arity = "0..1", paramLabel = "NAME", completionCandidates = Candidates.Presets.class,
            converter = Candidates.PresetConverter.class, description = "A preset: ${COMPLETION-CANDIDATES}.")
    Preset preset;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (preset != null) {
            print(out, preset.settings());
        } else {
            for (Preset each : Preset.values()) {
                out.println(each.cliName() + ": " + each.description());
                print(out, each == Preset.DEFAULT ? each.settings() : each.differences());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, Map<String, String> settings) {
        settings.forEach((option, value) -> out.println("  --" + option + " " + value));
    }
}
