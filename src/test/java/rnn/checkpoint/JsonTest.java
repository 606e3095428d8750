package rnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Settings(String cell, int hidden, double dropout, List<Integer> layers) {
    }

    @Test
    void recordsRoundTripCompactAndPretty() throws JsonProcessingException {
        Settings settings = new Settings("lstm", 200, 0.5, List.of(1, 2));
        String compact = Json.toJson(settings);
        assertEquals("{\"cell\":\"lstm\",\"hidden\":200,\"dropout\":0.5,\"layers\":[1,2]}", compact);
        String pretty = Json.toPrettyJson(settings);
        assertTrue(pretty.contains("\n  \"hidden\" : 200"), pretty);
        assertTrue(pretty.endsWith("}\n"));
        assertEquals(settings, Json.mapper().readValue(compact, Settings.class));
        assertEquals(settings, Json.mapper().readValue(pretty, Settings.class));
    }

    @Test
    void unknownPropertiesAreIgnored() throws JsonProcessingException {
        Settings read = Json.mapper().readValue(
                "{\"cell\":\"gru\",\"hidden\":8,\"dropout\":0,\"layers\":[],\"addedLater\":true}", Settings.class);
        assertEquals(new Settings("gru", 8, 0, List.of()), read);
    }

    @Test
    void duplicateKeysAndTrailingContentAreRefused() {
        assertThrows(JsonProcessingException.class, () -> Json.mapper().readTree("{\"a\":1,\"a\":2}"));
        assertThrows(JsonProcessingException.class, () -> Json.mapper().readValue("{\"a\":1} {}", Object.class));
    }
}
