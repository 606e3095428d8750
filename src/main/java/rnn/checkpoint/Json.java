package rnn.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The project's one configured Jackson mapper. Records work directly (Jackson 2.18). Unknown
 * properties are ignored so newer files still load; duplicate keys and trailing content are
 * refused, since a file with either is more likely damaged than meaningful, and so is a fraction
 * where an integer belongs (8.5 is not silently read as 8). No polymorphic
 * typing is ever enabled: files are data, never class names.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();
    /** Files and output people read use snake_case names, like every --json output. */
    private static final ObjectMapper SNAKE_CASE = MAPPER.copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private Json() {
    }

    /** The shared mapper; thread-safe. Do not reconfigure it: derive a reader or writer instead. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The shared mapper with snake_case property names (model.json, history.json, summaries). */
    public static ObjectMapper snakeCase() {
        return SNAKE_CASE;
    }

    /** Compact JSON, e.g. for a value stored inside safetensors metadata. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getName() + " to JSON", e);
        }
    }

    /** The value {@link #toJson} wrote. */
    public static <T> T fromJson(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read " + type.getSimpleName() + " from JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Indented JSON with snake_case names ending in a newline, for files people read. */
    public static String toPrettyJson(Object value) {
        try {
            return SNAKE_CASE.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getName() + " to JSON", e);
        }
    }
}
