package rnn.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import rnn.engine.loss.Loss;
import rnn.engine.optim.Optimizers;
import rnn.train.Preset;

/** The values option completion offers (and help lists), one class per option, as picocli wants them. */
final class Candidates {
    private Candidates() {
    }

    static final class Presets implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Preset.names().iterator();
        }
    }

    /** {@code --preset NAME} as a {@link Preset}; an unknown name is a usage error listing the known ones. */
    static final class PresetConverter implements ITypeConverter<Preset> {
        @Override
        public Preset convert(String value) {
            for (Preset preset : Preset.values()) {
                if (preset.cliName().equalsIgnoreCase(value)) {
                    return preset;
                }
            }
            throw new TypeConversionException("'" + value + "' is not a preset; choose one of "
                    + String.join(", ", Preset.names()));
        }
    }

    static final class Cells implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("rnn", "lstm", "gru").iterator();
        }
    }

    static final class Activations implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("tanh", "relu").iterator();
        }
    }

    static final class GruVariants implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("pytorch", "classic").iterator();
        }
    }

    static final class DropoutKinds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("standard", "locked").iterator();
        }
    }

    static final class Softmaxes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("full", "adaptive").iterator();
        }
    }

    static final class Inits implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("uniform", "glorot", "orthogonal").iterator();
        }
    }

    static final class Objectives implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("all", "last").iterator();
        }
    }

    static final class OptimizerNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Optimizers.NAMES.iterator();
        }
    }

    static final class Losses implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> names = new ArrayList<>();
            for (Loss loss : Loss.values()) {
                names.add(loss.cliName());
            }
            return names.iterator();
        }
    }

    static final class Tokenizers implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("word", "whitespace", "char", "regex:").iterator();
        }
    }
}
