package rnn.workflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

import rnn.checkpoint.CheckpointFormatException;
import rnn.checkpoint.Json;
import rnn.checkpoint.ModelManifest;
import rnn.checkpoint.ManifestFiles;
import rnn.checkpoint.ModelStore;
import rnn.checkpoint.SafetensorsHeader;
import rnn.checkpoint.TensorInfo;
import rnn.engine.CellType;
import rnn.engine.AdaptiveOutput;
import rnn.engine.ModelConfig;
import rnn.engine.Objective;
import rnn.engine.ParameterShapes;
import rnn.engine.loss.Loss;
import rnn.train.EpochResult;
import rnn.train.DataConfig;
import rnn.train.NetworkConfig;

/**
 * A model described from model.json and the safetensors header alone, Keras {@code summary()}
 * style: layers, output shapes, parameter counts, then the settings and history. Reads no
 * weights and never touches ND4J, so it answers in a fraction of a second.
 * The weights file's header is checked against the architecture (names and shapes), as loading would.
 */
public record ModelSummary(String directory, List<Layer> layers, long totalParameters,
                           int vocabularySize, String tokenizer, Sequences sequences, Start start, History history,
                           ModelManifest.CorpusInfo corpus, ModelManifest.Provenance provenance,
                           ModelManifest.Parent fineTunedFrom) {

    /** One row of the table; {@code outputShape} as Keras prints it, with "batch" for the batch dimension. */
    public record Layer(String name, String type, String outputShape, long parameters, List<String> tensors) {
    }

    /** How the model reads text. */
    public record Sequences(int window, int stride, String objective, boolean stateful, int batchSize) {
    }

    /**
     * How the weights started: {@code --init}, its scale (uniform only, else null) and the forget-gate
     * bias (LSTM only, else 0).
     */
    public record Start(String init, Double initScale, double forgetBias) {
        static Start of(NetworkConfig network) {
            return new Start(network.init(), network.init().equals("uniform") ? network.initScale() : null,
                    network.cell() == CellType.LSTM ? network.forgetBias() : 0);
        }

        String describe() {
            String line = "initialization: " + switch (init) {
                case "uniform" -> "uniform in [-" + initScale + ", " + initScale + "]";
                case "glorot" -> "glorot (Glorot-uniform weights, zero biases)";
                default -> init + " recurrent kernels, Glorot-uniform other weights, zero biases";
            };
            return forgetBias == 0 ? line : line + "; forget-gate biases " + forgetBias;
        }
    }

    /** What training achieved. */
    public record History(int epochsCompleted, long steps, Integer bestEpoch, Double bestValidationLoss,
                          Double bestValidationPerplexity, Double bestValidationAccuracy,
                          Double bestValidationTop5Accuracy, Double lastTrainLoss, int epochsPlanned) {
    }

    /** Describes the model in {@code directory} (the model trained last when null). */
    public static ModelSummary read(Path directory) {
        Path dir = ModelDirectory.resolve(directory);
        ModelManifest manifest = ManifestFiles.read(dir);
        checkStoredTensors(dir.resolve(ModelStore.WEIGHTS), manifest.architecture());
        return of(dir.toString(), manifest);
    }

    static ModelSummary of(String directory, ModelManifest manifest) {
        ModelConfig a = manifest.architecture();
        DataConfig t = manifest.data();
        Map<String, long[]> shapes = ParameterShapes.of(a);
        boolean last = t.objective() == Objective.LAST;
        String steps = "batch, " + t.window() + ", ";
        List<Layer> layers = new ArrayList<>();
        if (a.oneHot()) {
            layers.add(new Layer("one_hot", "OneHot", "(" + steps + a.vocabSize() + ")", 0, List.of()));
        } else {
            layers.add(layer("embedding", a.embeddingDropout() > 0
                    ? String.format(Locale.ROOT, "Embedding, dropoute %s", a.embeddingDropout()) : "Embedding",
                    "(" + steps + a.embeddingSize() + ")", shapes, ParameterShapes.EMBEDDING));
        }
        int dropouts = 0;
        String cellName = cellName(a.cell());
        for (int k = 0; k < a.layers(); k++) {
            if (a.dropout() > 0 && !(k == 0 && a.oneHot())) {
                layers.add(dropout(dropouts++, "(" + steps + a.inputSize(k) + ")", a.dropout(), a.lockedDropout()));
            }
            boolean top = k == a.layers() - 1;
            String shape = top && last ? "(batch, " + a.hiddenSize() + ")" : "(" + steps + a.hiddenSize() + ")";
            String type = cellType(a.cell()) + (a.weightDrop() > 0
                    ? String.format(Locale.ROOT, ", wdrop %s", a.weightDrop()) : "");
            layers.add(layer(cellName.toLowerCase(Locale.ROOT) + (k == 0 ? "" : "_" + k), type, shape,
                    shapes, ParameterShapes.weightIh(k), ParameterShapes.weightHh(k), ParameterShapes.biasIh(k),
                    ParameterShapes.biasHh(k)));
        }
        String topShape = last ? "(batch, " : "(" + steps;
        if (a.dropout() > 0) {
            layers.add(dropout(dropouts, topShape + a.hiddenSize() + ")", a.dropout(), a.lockedDropout()));
        }
        if (a.hasAdaptiveOutput()) {
            // PyTorch's AdaptiveLogSoftmaxWithLoss: the head's rows, then each tail cluster's two products.
            AdaptiveOutput adaptive = a.adaptive();
            layers.add(layer("decoder_head", String.format(Locale.ROOT, "Adaptive head: %d words + %d clusters",
                    adaptive.shortlist(), adaptive.clusters()), topShape + adaptive.headSize() + ")", shapes,
                    ParameterShapes.ADAPTIVE_HEAD));
            for (int i = 0; i < adaptive.clusters(); i++) {
                int start = adaptive.clusterStart(i);
                int end = adaptive.clusterEnd(i, a.vocabSize());
                layers.add(layer("decoder_tail_" + i, String.format(Locale.ROOT, "Tail: ids %d-%d via %d", start,
                        end - 1, adaptive.projectionSize(i, a.hiddenSize())), topShape + (end - start) + ")", shapes,
                        ParameterShapes.tailProjection(i), ParameterShapes.tailOutput(i)));
            }
        } else if (a.tied()) {
            layers.add(layer("decoder", "Dense, weights tied to embedding", topShape + a.vocabSize() + ")", shapes,
                    ParameterShapes.DECODER_BIAS));
        } else {
            layers.add(layer("decoder", "Dense", topShape + a.vocabSize() + ")", shapes,
                    ParameterShapes.DECODER_WEIGHT, ParameterShapes.DECODER_BIAS));
        }
        long total = 0;
        for (long[] shape : shapes.values()) {
            total += ParameterShapes.elements(shape);
        }
        ModelContext context = ModelContext.of(manifest);
        String tokenizer = context.tokenizer().cliValue() + (context.tokenizer().lowercase() ? ", lowercase" : "");
        Sequences sequences = new Sequences(t.window(), t.stride(), t.objective().name().toLowerCase(Locale.ROOT),
                t.stateful(), manifest.optimization().batchSize());
        return new ModelSummary(directory, List.copyOf(layers), total, a.vocabSize(), tokenizer,
                sequences, Start.of(manifest.network()), history(manifest.progress(), manifest.optimization().epochs(),
                        manifest.optimization().loss() != Loss.MEAN_SQUARED_ERROR), manifest.corpus(),
                manifest.provenance(), manifest.sessions().isEmpty() ? null : manifest.sessions().get(0).parent());
    }

    /** One JSON object with snake_case names, like the command line's other JSON output. */
    public String toJson() {
        try {
            return Json.snakeCase().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a summary always serialises", e);
        }
    }

    /** The Keras-style table and the settings below it, as lines of text. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        String rule = "_".repeat(78);
        lines.add("Model: " + directory);
        lines.add(rule);
        lines.add(String.format(Locale.ROOT, " %-40s %-24s %10s", "Layer (type)", "Output Shape", "Param #"));
        lines.add("=".repeat(78));
        for (Layer layer : layers) {
            lines.add(String.format(Locale.ROOT, " %-40s %-24s %,10d", layer.name() + " (" + layer.type() + ")",
                    layer.outputShape(), layer.parameters()));
        }
        lines.add("=".repeat(78));
        lines.add(String.format(Locale.ROOT, "Total params: %,d (%s as float32)", totalParameters,
                megabytes(totalParameters * 4)));
        lines.add(String.format(Locale.ROOT, "Trainable params: %,d", totalParameters));
        lines.add(String.format(Locale.ROOT, "Non-trainable params: 0"));
        lines.add(rule);
        lines.add(String.format(Locale.ROOT, "vocabulary: %,d tokens (<unk> included); tokenizer %s", vocabularySize,
                tokenizer));
        lines.add(sequences.stateful()
                ? String.format(Locale.ROOT, "sequences: stream, %d parallel streams in chunks of %d, state carried",
                        sequences.batchSize(), sequences.window())
                : String.format(Locale.ROOT, "sequences: windows of %d, stride %d, objective %s, batch %d",
                        sequences.window(), sequences.stride(), sequences.objective(), sequences.batchSize()));
        lines.add(start.describe());
        lines.add(describeHistory());
        if (corpus != null) {
            lines.add(String.format(Locale.ROOT, "corpus: %s, %,d tokens (%,d training, %,d validation)",
                    corpus.name(), corpus.tokens(), corpus.trainTokens(), corpus.validationTokens()));
        }
        if (provenance != null) {
            lines.add("provenance: rnn " + provenance.rnn() + ", created " + provenance.created() + ", "
                    + provenance.java() + ", " + provenance.os() + " " + provenance.arch() + ", " + provenance.backend());
        }
        if (fineTunedFrom != null) {
            lines.add("fine-tuned from " + fineTunedFrom.directory() + " (trained on " + fineTunedFrom.corpus()
                    + "; weights SHA-256 " + fineTunedFrom.weightsSha256() + ")");
        }
        return lines;
    }

    private String describeHistory() {
        if (history.epochsCompleted() == 0) {
            return "training: no epoch completed yet (" + history.epochsPlanned() + " planned)";
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "training: %d of %d epochs completed (%,d steps)", history.epochsCompleted(), history.epochsPlanned(),
                history.steps()));
        if (history.lastTrainLoss() != null) {
            line.append(String.format(Locale.ROOT, "; last train loss %.4f", history.lastTrainLoss()));
        }
        if (history.bestValidationLoss() != null) {
            line.append(String.format(Locale.ROOT, "; best validation loss %.4f%s at epoch %d",
                    history.bestValidationLoss(), validationFigures(history.bestValidationPerplexity(),
                            history.bestValidationAccuracy(), history.bestValidationTop5Accuracy()),
                    history.bestEpoch()));
        } else {
            line.append("; no validation data");
        }
        return line.toString();
    }

    /**
     * " (perplexity P, accuracy A, top-5 T)" with whichever figures there are: no perplexity for
     * mse, no accuracies in histories written before they were measured.
     */
    static String validationFigures(Double perplexity, Double accuracy, Double top5) {
        List<String> figures = new ArrayList<>();
        if (perplexity != null) {
            figures.add(String.format(Locale.ROOT, "perplexity %.2f", perplexity));
        }
        if (accuracy != null) {
            figures.add(String.format(Locale.ROOT, "accuracy %.4f", accuracy));
        }
        if (top5 != null) {
            figures.add(String.format(Locale.ROOT, "top-5 %.4f", top5));
        }
        return figures.isEmpty() ? "" : " (" + String.join(", ", figures) + ")";
    }

    private static History history(ModelManifest.Progress progress, int planned, boolean hasPerplexity) {
        if (progress == null) {
            return new History(0, 0, null, null, null, null, null, null, planned);
        }
        List<EpochResult> epochs = progress.history();
        Double lastTrain = epochs.isEmpty() ? null : epochs.get(epochs.size() - 1).trainLoss();
        Double best = progress.bestValidationLoss();
        EpochResult bestEpoch = best == null ? null : epochs.stream()
                .filter(e -> e.epoch() == progress.bestEpoch()).findFirst().orElse(null);
        return new History(progress.epochsCompleted(), progress.steps(), best == null ? null : progress.bestEpoch(),
                best, best == null || !hasPerplexity ? null : Math.exp(best),
                bestEpoch == null ? null : bestEpoch.validationAccuracy(),
                bestEpoch == null ? null : bestEpoch.validationTop5Accuracy(), lastTrain, planned);
    }

    private static Layer layer(String name, String type, String shape, Map<String, long[]> shapes, String... tensors) {
        long count = 0;
        for (String tensor : tensors) {
            count += ParameterShapes.elements(shapes.get(tensor));
        }
        return new Layer(name, type, shape, count, List.of(tensors));
    }

    private static Layer dropout(int index, String shape, double rate, boolean locked) {
        return new Layer(index == 0 ? "dropout" : "dropout_" + index,
                String.format(Locale.ROOT, locked ? "LockedDropout %s" : "Dropout %s", rate), shape, 0, List.of());
    }

    private static String cellName(CellType cell) {
        return switch (cell) {
            case RNN, RNN_RELU -> "simple_rnn";
            case LSTM -> "lstm";
            case GRU, GRU_CLASSIC -> "gru";
        };
    }

    private static String cellType(CellType cell) {
        return switch (cell) {
            case RNN -> "SimpleRNN";
            case RNN_RELU -> "SimpleRNN, relu";
            case LSTM -> "LSTM";
            case GRU -> "GRU";
            case GRU_CLASSIC -> "GRU, classic";
        };
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }

    /** Checks model.safetensors' header against the architecture, as loading would. */
    private static void checkStoredTensors(Path file, ModelConfig architecture) {
        SafetensorsHeader header = SafetensorsHeader.read(file);
        Map<String, TensorInfo> stored = new LinkedHashMap<>();
        for (TensorInfo tensor : header.tensors()) {
            stored.put(tensor.name(), tensor);
        }
        Map<String, long[]> expected = ParameterShapes.of(architecture);
        for (String name : stored.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointFormatException(file + ": unexpected tensor '" + name + "'; the model has "
                        + String.join(", ", expected.keySet()));
            }
        }
        for (Map.Entry<String, long[]> entry : expected.entrySet()) {
            TensorInfo tensor = stored.get(entry.getKey());
            if (tensor == null) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' is missing");
            }
            if (!Arrays.equals(tensor.shape(), entry.getValue())) {
                throw new CheckpointFormatException(file + ": tensor '" + entry.getKey() + "' has shape "
                        + Arrays.toString(tensor.shape()) + ", the model needs " + Arrays.toString(entry.getValue()));
            }
        }
    }
}
