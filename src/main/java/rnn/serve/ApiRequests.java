package rnn.serve;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import rnn.checkpoint.Json;
import rnn.workflow.GenerateConfig;

/**
 * The JSON bodies the API accepts, read strictly: one object, only the fields listed here, each of
 * its own JSON type (5.0 is not an integer, "5" is not a number), every size a client controls
 * bounded. A field given as null takes its default. Anything else is an {@link ApiError} 400 whose
 * message names the field.
 */
final class ApiRequests {
    /** Largest request body; a larger one is answered 413. */
    static final int MAX_BODY_BYTES = 1 << 20;
    /** Longest predict context and generate prime, in characters. */
    static final int MAX_CONTEXT_CHARS = 10_000;
    /** Most candidates one predict request may ask for. */
    static final int MAX_K = 1_000;
    /** Most tokens one generate request may ask for. */
    static final int MAX_WORDS = 1_000;
    /** Highest sampling temperature (beyond it every draw is uniform noise). */
    static final double MAX_TEMPERATURE = 100;

    private ApiRequests() {
    }

    /** POST /v1/predict: {"context": "...", "k": 5}. */
    record Predict(String context, int k) {
    }

    /** POST /v1/generate: the options of rnn generate, and whether to stream the tokens as events. */
    record Generate(GenerateConfig config, boolean stream) {
    }

    /** POST /v1/score: the text to score, one figure per line or the summary, lines on their own or in sequence. */
    record Score(String text, boolean perLine, boolean independent) {
    }

    static Predict predict(byte[] body) {
        Fields fields = Fields.read(body, Set.of("context", "k"));
        return new Predict(fields.string("context", MAX_CONTEXT_CHARS), fields.integer("k", 5, 1, MAX_K));
    }

    static Generate generate(byte[] body) {
        Fields fields = Fields.read(body, Set.of("prime", "n", "temperature", "top_k", "top_p", "seed", "stream"));
        String prime = fields.optionalString("prime", MAX_CONTEXT_CHARS, "");
        int words = fields.integer("n", 50, 1, MAX_WORDS);
        double temperature = fields.number("temperature", 1.0, 0, true, MAX_TEMPERATURE);
        Integer topK = fields.optionalInteger("top_k", 1, Integer.MAX_VALUE);
        Double topP = fields.optionalNumber("top_p", 0, false, 1);
        Long seed = fields.optionalLong("seed");
        boolean stream = fields.bool("stream", false);
        return new Generate(new GenerateConfig(prime, words, temperature, topK, topP, seed), stream);
    }

    static Score score(byte[] body) {
        Fields fields = Fields.read(body, Set.of("text", "per_line", "independent"));
        return new Score(fields.string("text", Integer.MAX_VALUE), fields.bool("per_line", false),
                fields.bool("independent", false));
    }

    /** One request object's fields, each read once with its type and range checked. */
    private static final class Fields {
        private final ObjectNode object;

        private Fields(ObjectNode object) {
            this.object = object;
        }

        static Fields read(byte[] body, Set<String> known) {
            JsonNode root;
            try {
                root = Json.mapper().readTree(body);
            } catch (JsonProcessingException e) {
                throw ApiError.badRequest("the body is not valid JSON: " + firstLine(e.getOriginalMessage()));
            } catch (IOException e) {
                throw ApiError.badRequest("the body cannot be read as JSON: " + firstLine(e.getMessage()));
            }
            if (root == null || root.isMissingNode()) {
                throw ApiError.badRequest("the body is empty; send a JSON object");
            }
            if (!root.isObject()) {
                throw ApiError.badRequest("the body must be a JSON object, got " + kind(root));
            }
            List<String> unknown = new ArrayList<>();
            for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    unknown.add(Json.toJson(name));
                }
            }
            if (!unknown.isEmpty()) {
                throw ApiError.badRequest("unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                        + "; this endpoint takes " + known.stream().sorted().map(Json::toJson).toList());
            }
            return new Fields((ObjectNode) root);
        }

        /** A required string of at most {@code maxChars} characters (UTF-16 units). */
        String string(String name, int maxChars) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                throw ApiError.badRequest("\"" + name + "\" is required (a string)");
            }
            return checkedString(name, node, maxChars);
        }

        String optionalString(String name, int maxChars, String absent) {
            JsonNode node = object.get(name);
            return node == null || node.isNull() ? absent : checkedString(name, node, maxChars);
        }

        private static String checkedString(String name, JsonNode node, int maxChars) {
            if (!node.isTextual()) {
                throw ApiError.badRequest("\"" + name + "\" must be a string, got " + kind(node));
            }
            String value = node.textValue();
            if (value.length() > maxChars) {
                throw ApiError.badRequest("\"" + name + "\" is " + value.length() + " characters long; at most "
                        + maxChars + " are accepted");
            }
            return value;
        }

        int integer(String name, int absent, int min, int max) {
            Integer value = optionalInteger(name, min, max);
            return value == null ? absent : value;
        }

        Integer optionalInteger(String name, int min, int max) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
                throw ApiError.badRequest("\"" + name + "\" must be an integer from " + min + " to " + max + ", got "
                        + shown(node));
            }
            return node.intValue();
        }

        Long optionalLong(String name) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw ApiError.badRequest("\"" + name + "\" must be a 64-bit integer, got " + shown(node));
            }
            return node.longValue();
        }

        double number(String name, double absent, double min, boolean minIncluded, double max) {
            Double value = optionalNumber(name, min, minIncluded, max);
            return value == null ? absent : value;
        }

        /** A number in [min, max] (or (min, max] when {@code minIncluded} is false). */
        Double optionalNumber(String name, double min, boolean minIncluded, double max) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            double value = node.isNumber() ? node.doubleValue() : Double.NaN;
            if (!(minIncluded ? value >= min : value > min) || !(value <= max)) {
                throw ApiError.badRequest("\"" + name + "\" must be a number " + (minIncluded ? "from " : "above ")
                        + min + (minIncluded ? " to " : " up to ") + max + ", got " + shown(node));
            }
            return value;
        }

        boolean bool(String name, boolean absent) {
            JsonNode node = object.get(name);
            if (node == null || node.isNull()) {
                return absent;
            }
            if (!node.isBoolean()) {
                throw ApiError.badRequest("\"" + name + "\" must be true or false, got " + shown(node));
            }
            return node.booleanValue();
        }

        /** The value as JSON, cut short: it goes into a one-line message. */
        private static String shown(JsonNode node) {
            String json = Json.toJson(node);
            return json.length() <= 40 ? json : json.substring(0, 37) + "...";
        }
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
