package rnn.cli;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import rnn.train.Preset;

/**
 * Picocli's defaults for the training options, read from the chosen {@link Preset} (the one table
 * of defaults). Picocli asks after parsing, for options not given, so the command's own
 * {@code --preset} is known by then; {@code --help} asks too, and so shows each option's
 * effective default for that preset.
 */
public final class PresetDefaults implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        return chosen(arg).value(option.longestName().substring(2));
    }

    private static Preset chosen(ArgSpec arg) {
        OptionSpec presetOption = arg.command() == null ? null : arg.command().findOption("--preset");
        Object value = presetOption == null ? null : presetOption.getValue();
        return value instanceof Preset preset ? preset : Preset.DEFAULT;
    }
}
